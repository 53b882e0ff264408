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

[Description("Score a model file on the lab's test split with the lab's metrics (mean IoU, Dice, weighted F1, pixel error, accuracy; per class): a checkpoint, exported weights, or plain PyTorch weights (the lab's notebook's) with --model. Preprocesses the test split first if needed; the numbers compare with `petseg exp show`.")]
public sealed class ScoreCommand : GuardedCommand<ScoreCommand.Settings>
{
    public sealed class Settings : PipelineSettings
    {
        [CommandArgument(0, "<CHECKPOINT>")][Description("A checkpoint file, exported weights (petseg export), a store entry or run folder, or plain PyTorch weights (a state_dict in a .pth or .safetensors file) with --model.")]
        public string Checkpoint { get; init; } = "";
        [CommandOption("--model <ARCH>")][Description("With plain PyTorch weights: their architecture (unet-resnet34, segformer-mit_b0, simple-unet, simple-vit).")]
        public string? Model { get; init; }
        [CommandOption("--batch <N>")][Description("Images per forward pass (default 16).")]
        public int Batch { get; init; } = 16;
        [CommandOption("--out <FILE>")][Description("Also write the metrics as a metrics.json file (the evaluate stage's format).")]
        public string? Out { get; init; }
        [CommandOption("--json")][Description("Print the headline metrics as JSON (key → value), nothing else on standard output.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Batch < 1 ? ValidationResult.Error($"--batch must be at least 1, not {Batch}")
            : !File.Exists(Checkpoint) && !Directory.Exists(Checkpoint) ? ValidationResult.Error($"{Checkpoint}: no such file or folder")
            : base.Validate();
    }

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var config = s.Load();
        var testPath = TestSplit.CachePath(s.Runner(config, quiet: s.Json), ct);
        var compute = config.Compute with { Device = s.Device ?? config.Compute.Device };
        var device = ComputeBackend.Prepare(compute, compute.Device, System.Console.Error.WriteLine); // before the model loads

        using var test = TensorCache.Open(testPath);
        using var loaded = PredictionModel.Load(s.Checkpoint, s.Model, test.Width); // plain weights: built for the test split's size
        if (loaded.Spec.Architecture == ModelZoo.SimpleVit && loaded.Spec.ImageSize != test.Width)
            throw new PetSegException($"{s.Checkpoint}: a SimpleViT built for {loaded.Spec.ImageSize}² cannot score the test split cached at {test.Width}² (preprocess.image_size in {config.File})");
        if (device.type != TorchSharp.DeviceType.CPU) loaded.Model.to(device);
        var metrics = Evaluator.Run(loaded.Model, test, loaded.Spec.Classes, s.Batch, s.Json ? NullProgressSink.Instance : new ConsoleProgressSink(), ct);

        if (s.Out is { } file)
            MetricsFile.Write(file, new MetricsRecord(Path.GetFileName(Path.TrimEndingDirectorySeparator(s.Checkpoint)), $"{loaded.Spec.Architecture}, {loaded.Origin}", 0, "", 0, metrics));
        if (s.Json)
        {
            System.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(HeadlineMetrics.All.ToDictionary(h => h.Key, h => h.Read(metrics))));
            return Task.FromResult(0);
        }
        string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);
        System.Console.WriteLine($"score: {loaded.Spec.Architecture} ({loaded.Origin}) on the test split: {test.Count} images at {test.Width}², " +
            $"{metrics.ValidPixels:N0} pixels{(config.Profile is { } p ? $" (profile {p})" : "")}, on {device}");
        foreach (var h in HeadlineMetrics.All) System.Console.WriteLine($"  {h.Key,-12} {F(h.Read(metrics))}   {h.Description}");
        System.Console.WriteLine("  per class:   " + string.Join("; ", metrics.PerClass.Select(c =>
            $"{(c.Class == SegmentationLabels.Pet ? "pet" : c.Class == SegmentationLabels.Background ? "background" : $"class {c.Class}")} IoU {F(c.IoU)}")));
        if (s.Out is not null) System.Console.WriteLine($"  → {s.Out}");
        return Task.FromResult(0);
    }
}
