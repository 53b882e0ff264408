using System.ComponentModel;
using System.Globalization;
using PetSeg.Cli.Console;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Metrics;
using PetSeg.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace PetSeg.Cli.Commands;

[Description("Score model files on the lab's test split with the lab's metrics (mean IoU, Dice, weighted F1, pixel error, accuracy; per class): a checkpoint, exported weights, or plain PyTorch weights (the lab's notebook's) with --model. Preprocesses the test split first if needed; the numbers compare with `petseg exp show`; several are scored side by side.")]
public sealed class ScoreCommand : GuardedCommand<ScoreCommand.Settings>
{
    public sealed class Settings : PipelineSettings
    {
        [CommandArgument(0, "<CHECKPOINTS>")][Description("Checkpoint files, exported weights (petseg export), store entry or run folders, or plain PyTorch weights (a state_dict in a .pth or .safetensors file) with --model. Several are scored side by side.")]
        public string[] Checkpoints { get; init; } = [];
        [CommandOption("--model <ARCH>")][Description("With plain PyTorch weights: their architecture (unet-resnet34, segformer-mit_b0, simple-unet, simple-vit, or another encoder's: unet-resnet50, segformer-mit_b2, …).")]
        public string? Model { get; init; }
        [CommandOption("--batch <N>")][Description("Images per forward pass (default 16).")]
        public int Batch { get; init; } = 16;
        [CommandOption("--out <FILE>")][Description("Also write the metrics as a metrics.json file (the evaluate stage's format); one checkpoint only.")]
        public string? Out { get; init; }
        [CommandOption("--tta <NAME>")][Description("Test-time augmentation: none (default, the lab's evaluation) or hflip (the mean of each image's and its mirror's logits; two forward passes), as tta: in pipeline.yaml.")]
        public string? Tta { get; init; }
        [CommandOption("--ensemble")][Description("Also score all the files as one model: the mean of their class probabilities (an ensemble, e.g. of an experiment's seeds), as the last row. They must agree on classes and input size.")]
        public bool Ensemble { get; init; }
        [CommandOption("--json")][Description("Print each file's headline metrics as one JSON line ({\"file\": …, \"mean_iou\": …}), nothing else on standard output.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Batch < 1 ? ValidationResult.Error($"--batch must be at least 1, not {Batch}")
            : Checkpoints.FirstOrDefault(c => !File.Exists(c) && !Directory.Exists(c)) is { } missing ? ValidationResult.Error($"{missing}: no such file or folder")
            : Ensemble && Checkpoints.Length < 2 ? ValidationResult.Error("--ensemble scores several files as one: give two or more")
            : Out is not null && Checkpoints.Length > 1 && !Ensemble ? ValidationResult.Error("--out writes one file's metrics: give one checkpoint with it")
            : Tta is not null && !TestTimeAugmentations.Names.Contains(Tta) ? ValidationResult.Error($"--tta is one of {string.Join(", ", TestTimeAugmentations.Names)}, not '{Tta}'")
            : base.Validate();
    }

    private sealed record Scored(string File, string Model, string Origin, SegmentationMetrics Metrics);

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var config = s.Load();
        var testPath = PreprocessedSplit.CachePath(s.Runner(config, quiet: s.Json), "test", ct);
        var compute = config.Compute with { Device = s.Device ?? config.Compute.Device };
        var device = ComputeBackend.Prepare(compute, compute.Device, System.Console.Error.WriteLine); // before a model loads
        using var test = TensorCache.Open(testPath);

        var scored = new List<Scored>();
        var failed = 0;
        if (s.Ensemble) scored.AddRange(ScoreEnsemble(s, test, device, config.File, ct));
        else foreach (var file in s.Checkpoints)
        {
            try { scored.Add(Score(file, s, test, device, config.File, ct)); }
            catch (Exception e) when (s.Checkpoints.Length > 1 && e is PetSegException or InvalidDataException or IOException) // one unreadable file among several: named, the others scored
            {
                System.Console.Error.WriteLine($"error: {e.Message}");
                failed++;
            }
        }
        if (s.Out is { } outFile && scored.Count > 0) // one file's, or the ensemble's (the last row)
            MetricsFile.Write(outFile, new MetricsRecord(Path.GetFileName(Path.TrimEndingDirectorySeparator(scored[^1].File)), $"{scored[^1].Model}, {scored[^1].Origin}", 0, "", 0, scored[^1].Metrics));
        if (s.Json)
        {
            foreach (var x in scored)
                System.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(
                    new Dictionary<string, object> { ["file"] = x.File }.Concat(HeadlineMetrics.All.Select(h => new KeyValuePair<string, object>(h.Key, h.Read(x.Metrics)))).ToDictionary()));
        }
        else
        {
            System.Console.WriteLine($"score: the test split, {SampleCount.Of(test)} at {test.Width}², {scored.FirstOrDefault()?.Metrics.ValidPixels ?? 0:N0} pixels" +
                $"{(config.Profile is { } p ? $" (profile {p})" : "")}, on {device}");
            if (scored.Count == 1) Describe(scored[0], s.Out, config.Dataset.ClassNames);
            else if (scored.Count > 1) Table(scored);
        }
        if (failed > 0) System.Console.Error.WriteLine($"error: {failed} of {s.Checkpoints.Length} file(s) could not be scored (named above)");
        return Task.FromResult(failed > 0 ? 1 : 0);
    }

    private static Scored Score(string file, Settings s, TensorCache test, TorchSharp.torch.Device device, string configFile, CancellationToken ct)
    {
        using var loaded = Load(file, s, test, configFile);
        if (device.type != TorchSharp.DeviceType.CPU) loaded.Model.to(device);
        var tta = TestTimeAugmentations.Parse(s.Tta ?? TestTimeAugmentations.NoneName);
        using var model = FlipAveraged.Apply(loaded.Model, tta); // disposes the model it wraps; `loaded` disposing it again is harmless
        var metrics = Evaluator.Run(model, test, loaded.Spec.Classes, s.Batch, s.Json ? NullProgressSink.Instance : new ConsoleProgressSink(), ct);
        return new Scored(file, loaded.Spec.Architecture, loaded.Origin + (tta == TestTimeAugmentation.None ? "" : $", tta: {tta.Name()}"), metrics);
    }

    /// <summary>A file's model, refused when it cannot take the test split's cached size (plain weights are built for it).</summary>
    private static PredictionModel Load(string file, Settings s, TensorCache test, string configFile)
    {
        var m = PredictionModel.Load(file, s.Model, test.Width);
        if (ModelZoo.SizeProblem(m.Spec, test.Width) is not { } problem) return m;
        m.Dispose();
        throw new PetSegException($"{file} cannot score the test split cached at {test.Width}² (preprocess.image_size in {configFile}): {problem}");
    }

    /// <summary>Each file, then all of them as one (<see cref="Ensemble"/>): every file must load, and agree on classes, size and tiles.</summary>
    private static IEnumerable<Scored> ScoreEnsemble(Settings s, TensorCache test, TorchSharp.torch.Device device, string configFile, CancellationToken ct)
    {
        using var loaded = new LoadedModels();
        foreach (var file in s.Checkpoints)
        {
            var m = Load(file, s, test, configFile);
            loaded.Add(m);
            if (PetSeg.Inference.Ensemble.Mismatch(loaded[0].Spec, m.Spec) is { } why)
                throw new PetSegException($"{s.Checkpoints[0]} and {file} cannot make one ensemble: {why}");
            if (device.type != TorchSharp.DeviceType.CPU) m.Model.to(device);
        }
        var tta = TestTimeAugmentations.Parse(s.Tta ?? TestTimeAugmentations.NoneName);
        var ui = s.Json ? NullProgressSink.Instance : (IProgressSink)new ConsoleProgressSink();
        var members = loaded.Select(m => FlipAveraged.Apply(m.Model, tta)).ToList();
        var origin = tta == TestTimeAugmentation.None ? "" : $", tta: {tta.Name()}";
        var rows = new List<Scored>();
        for (int i = 0; i < loaded.Count; i++)
            rows.Add(new Scored(s.Checkpoints[i], loaded[i].Spec.Architecture, loaded[i].Origin + origin, Evaluator.Run(members[i], test, loaded[i].Spec.Classes, s.Batch, ui, ct)));
        using var ensemble = new PetSeg.Inference.Ensemble(members); // disposes the members, and through them the models
        var architectures = string.Join(" + ", loaded.GroupBy(m => m.Spec.Architecture).Select(g => g.Count() > 1 ? $"{g.Count()} × {g.Key}" : g.Key));
        rows.Add(new Scored($"ensemble of {loaded.Count}", architectures, "the mean of their class probabilities" + origin,
            Evaluator.Run(ensemble, test, loaded[0].Spec.Classes, s.Batch, ui, ct)));
        return rows;
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void Describe(Scored x, string? outFile, IReadOnlyList<string> classNames)
    {
        System.Console.WriteLine($"{x.File}: {x.Model} ({x.Origin})");
        foreach (var h in HeadlineMetrics.All) System.Console.WriteLine($"  {h.Key,-12} {F(h.Read(x.Metrics))}   {h.Description}");
        System.Console.WriteLine("  per class:   " + string.Join("; ", x.Metrics.PerClass.Select(c =>
            $"{(c.Class >= 0 && c.Class < classNames.Count ? classNames[c.Class] : SegmentationLabels.NameOf(c.Class))} IoU {F(c.IoU)}")));
        if (outFile is not null) System.Console.WriteLine($"  → {outFile}");
    }

    /// <summary>Several files side by side, one line each (plain text: it reads the same in a pipe).</summary>
    private static void Table(IReadOnlyList<Scored> scored)
    {
        string[] header = ["file", "model", .. HeadlineMetrics.All.Select(h => h.Key)];
        var rows = scored.Select(x => (string[])[x.File, $"{x.Model}, {x.Origin}", .. HeadlineMetrics.All.Select(h => F(h.Read(x.Metrics)))]).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        foreach (var r in rows.Prepend(header))
            System.Console.WriteLine(string.Join("  ", r.Select((v, c) => c < 2 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd());
    }
}
