using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Cli.Console;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Data.Imaging;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace PetSeg.Cli.Commands;

[Description("Segment images with a trained model (an experiment of pipeline.yaml, or a checkpoint file): writes each mask (255 = pet; with more classes, a palette PNG whose indices are the labels 0 … C−1, as Pascal VOC's) at its image's size, optionally an overlay. Many images or folders go through the model in batches into an output folder.")]
public sealed class PredictCommand : GuardedCommand<PredictCommand.Settings>
{
    public sealed class Settings : PipelineSettings
    {
        [CommandArgument(0, "[IMAGES]")][Description("JPEG or PNG files, or folders of them (the images directly inside).")]
        public string[] Images { get; init; } = [];
        [CommandOption("--image <FILE>")][Description("An image to segment, like IMAGES (may be repeated).")]
        public string[] Image { get; init; } = [];
        [CommandOption("--experiment <NAME>")][Description("Use this experiment's trained weights (an id under 'experiments:'; its train stage must be published for the current pipeline.yaml and profile; a matrix whose runs held validation images out: the run chosen on them, or its refit with refit: true). Repeated: an ensemble of them.")]
        public string[] Experiment { get; init; } = [];
        [CommandOption("--checkpoint <PATH>")][Description("Or a checkpoint file, a store entry folder (artifacts/store/objects/<ab>/<key>) holding model.safetensors, or a run folder holding last.ckpt; or plain PyTorch weights (a state_dict in a .pth or .safetensors file, e.g. the lab's models trained in Python) with --model. Repeated: an ensemble of them.")]
        public string[] Checkpoint { get; init; } = [];
        [CommandOption("--ensemble")][Description("With --experiment: every seed's and fold's model of each experiment (training.seeds, folds:), as one: the mean of their class probabilities. Several --experiment or --checkpoint make an ensemble without it.")]
        public bool Ensemble { get; init; }
        [CommandOption("--model <ARCH>")][Description("With plain PyTorch weights: their architecture (unet-resnet34, segformer-mit_b0, simple-unet, simple-vit, or another encoder's: unet-resnet50, segformer-mit_b2, …); --size is then the size they were trained at (default 224).")]
        public string? Model { get; init; }
        [CommandOption("--out <PATH>")][Description("Mask PNG to write for one image (default mask.png); for several, the folder to write <image name>.png into (default masks).")]
        public string? Out { get; init; }
        [CommandOption("--overlay <PATH>")][Description("Optional: the image with the predicted pet tinted red; a file for one image, a folder for several.")]
        public string? Overlay { get; init; }
        [CommandOption("--size <PX>")][Description("Input size (default: the size the model was trained at).")]
        public int? Size { get; init; }
        [CommandOption("--tiles <SCALE>")][Description("For a model trained on tiles (preprocess.tiles): scale each image by SCALE, cut it into --size tiles and put their masks together; 'none': the whole image resized. Default: what the checkpoint says (a plain PyTorch file says nothing: whole images).")]
        public string? Tiles { get; init; }
        [CommandOption("--overlap <FRACTION>")][Description("With tiles: slide windows over each scaled image, overlapping by FRACTION (0.5 is usual, up to 0.9), and blend their class probabilities with a Gaussian weight, so no seam runs where tiles meet; each pixel is seen by several windows (0.5: about 4×, the time as much). Default: the experiment's overlap: with --experiment, else 0, the grid the model trained on.")]
        public double? Overlap { get; init; }
        [CommandOption("--batch <N>")][Description("Images per forward pass (default 16; with tiles, tiles per pass).")]
        public int Batch { get; init; } = 16;
        [CommandOption("--tta <NAME>")][Description("Test-time augmentation: none or hflip (the mean of each image's and its mirror's logits; two forward passes). Default: the experiment's tta: with --experiment, else none.")]
        public string? Tta { get; init; }

        public override ValidationResult Validate() =>
            (Experiment.Length == 0) == (Checkpoint.Length == 0) ? ValidationResult.Error("give the model with --experiment NAME or --checkpoint PATH (one of them; each may be repeated for an ensemble)")
            : Ensemble && Experiment.Length == 0 ? ValidationResult.Error("--ensemble takes every seed of an --experiment; several --checkpoint files make an ensemble without it")
            : Images.Length + Image.Length == 0 ? ValidationResult.Error("name the images to segment (files or folders), e.g. petseg predict --experiment unet-base photos/")
            : Batch < 1 ? ValidationResult.Error($"--batch must be at least 1, not {Batch}")
            : Size is < 1 ? ValidationResult.Error($"--size must be positive, not {Size}")
            : Tiles is not null && TileScale(Tiles) is double.NaN ? ValidationResult.Error($"--tiles is a scale (0.01 to 8, e.g. 0.5) or none, not '{Tiles}'")
            : Overlap is { } o && !(o is >= 0 and <= SlidingWindows.MaxOverlap) ? ValidationResult.Error($"--overlap is a fraction from 0 to {SlidingWindows.MaxOverlap} (0.5 is usual), not {o.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
            : Overlap > 0 && Tiles == "none" ? ValidationResult.Error("--overlap slides windows over a tiled image, and --tiles none feeds each image whole: give a --tiles scale, or leave --overlap out")
            : Tta is not null && !TestTimeAugmentations.Names.Contains(Tta) ? ValidationResult.Error($"--tta is one of {string.Join(", ", TestTimeAugmentations.Names)}, not '{Tta}'")
            : Model is not null && Checkpoint.Length == 0 ? ValidationResult.Error("--model names the architecture of plain weights given with --checkpoint; an experiment knows its own")
            : base.Validate();

        /// <summary>--tiles as a scale: null for none, NaN when it is neither.</summary>
        public static double? TileScale(string tiles) => tiles == "none" ? null
            : double.TryParse(tiles, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v is >= 0.01 and <= 8 ? v : double.NaN;
    }

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var images = ImageInputs.Expand([.. s.Images, .. s.Image]); // a mistyped path stops here, before the model loads
        var plan = OutputPlan.For(s, images);

        // The experiment's weights come with its configuration's compute settings; a bare checkpoint with the defaults.
        var members = new List<(string Weights, TestTimeAugmentation Tta)>();
        ComputeConfig compute;
        IReadOnlyList<string>? classNames = null; // a checkpoint alone names no class
        double experimentOverlap = 0; // an experiment's overlap: (its evaluation's windows), the default of --overlap
        if (s.Experiment.Length > 0)
        {
            var config = s.Load();
            classNames = config.Dataset.ClassNames;
            var runner = s.Runner(config, quiet: true);
            var trained = s.Experiment.SelectMany(e => s.Ensemble ? TrainedExperiment.EveryRun(config, runner, e) : [TrainedExperiment.Find(config, runner, e)]).ToList();
            foreach (var how in trained.Select(t => t.Chosen).OfType<string>().Distinct()) System.Console.Error.WriteLine($"predict: {how}");
            if (s.Ensemble && trained.Count == s.Experiment.Length)
                System.Console.Error.WriteLine($"predict: {string.Join(", ", s.Experiment)}: one seed each (training.seeds), so --ensemble adds no model");
            members.AddRange(trained.Select(t => (t.WeightsPath, t.Run.Tta)));
            compute = config.Compute with { Device = trained[0].Run.Device ?? config.Compute.Device };
            experimentOverlap = trained[0].Run.Overlap;
        }
        else
        {
            NumericsModes.TryParse(s.Numerics ?? "auto", out var mode); // checked by Validate
            members.AddRange(s.Checkpoint.Select(c => (c, TestTimeAugmentation.None)));
            compute = new ComputeConfig(mode, s.Device ?? "auto");
        }
        var device = ComputeBackend.Prepare(compute, compute.Device, System.Console.Error.WriteLine); // before the model loads

        using var loadedModels = new LoadedModels();
        foreach (var (weights, _) in members) loadedModels.Add(PredictionModel.Load(weights, s.Model, s.Size));
        var loaded = loadedModels[0];
        foreach (var other in loadedModels.Skip(1))
            if (PetSeg.Inference.Ensemble.Mismatch(loaded.Spec, other.Spec) is { } why)
                throw new PetSegException($"{members[0].Weights} and {members[loadedModels.IndexOf(other)].Weights} cannot make one ensemble: {why}");
        foreach (var m in loadedModels) if (device.type != TorchSharp.DeviceType.CPU) m.Model.to(device);
        var tta = s.Tta is { } name ? TestTimeAugmentations.Parse(name) : members[0].Tta;
        // Each member as its evaluation scored it (its tta:), then their mean; disposing the result disposes them all.
        var wrapped = loadedModels.Select((m, i) => FlipAveraged.Apply(m.Model, s.Tta is null ? members[i].Tta : tta)).ToList();
        using var model = wrapped.Count == 1 ? wrapped[0] : new Ensemble(wrapped);
        int size = s.Size ?? loaded.Spec.ImageSize;
        if (ModelZoo.SizeProblem(loaded.Spec, size) is { } problem) // before any image is read
            throw new PetSegException($"--size {size}: {problem}");

        var tileScale = s.Tiles is { } tiles ? Settings.TileScale(tiles) : loaded.Spec.TileScale;
        double overlap = s.Overlap ?? (tileScale is null ? 0 : experimentOverlap);
        if (overlap > 0 && tileScale is null)
            throw new PetSegException($"--overlap slides windows over the tiles of a model trained on them (preprocess.tiles), and {loaded.Origin} sees whole images: leave --overlap out, or give --tiles SCALE");
        int classes = loaded.Spec.Classes;
        string Name(int label) => classNames is { } n && n.Count == classes ? n[label] : classes == SegmentationLabels.Classes ? SegmentationLabels.NameOf(label) : $"class {label}";
        // "23.1 % pet", or every class but the background that the image holds.
        string Shares(Prediction p) => classes == SegmentationLabels.Classes ? $"{p.Fraction(SegmentationLabels.Pet):P1} {Name(SegmentationLabels.Pet)}"
            : string.Join(", ", Enumerable.Range(1, classes - 1).Select(c => (c, f: p.Fraction(c))).Where(x => x.f > 0).Select(x => $"{x.f:P1} {Name(x.c)}").DefaultIfEmpty("background only"));

        var sink = new ConsoleProgressSink();
        var clock = Stopwatch.StartNew();
        var failed = new List<string>();
        using (var bar = images.Count > 1 ? sink.Bar("predict", images.Count, ProgressUnit.Items) : null)
        {
            foreach (var (result, i) in Predictor.PredictMany(model, images, size, s.Batch, ct, tileScale, overlap).Select((r, i) => (r, i)))
            {
                if (result.Prediction is not { } p)
                {
                    failed.Add(result.Path);
                    System.Console.Error.WriteLine($"error: {result.Failure!.Message}");
                }
                else
                {
                    Predictor.SaveMask(p, plan.Masks[i], classes);
                    if (plan.Overlays is { } overlays) Predictor.SaveOverlay(p, overlays[i], classes);
                    sink.Info($"{result.Path}: {p.Width}×{p.Height}, {Shares(p)} → {plan.Masks[i]}{(plan.Overlays is { } o ? $", {o[i]}" : "")}");
                }
                bar?.Update(i + 1);
            }
        }
        var architectures = string.Join(" + ", loadedModels.GroupBy(m => m.Spec.Architecture).Select(g => g.Count() > 1 ? $"{g.Count()} × {g.Key}" : g.Key));
        var what = $"{(loadedModels.Count > 1 ? $"an ensemble of {loadedModels.Count} (the mean of their class probabilities): {architectures}" : loaded.Spec.Architecture)} at {size}²{(tileScale is { } scale ? $" {(overlap > 0 ? $"windows overlapping by {overlap.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "tiles")} of each image scaled by {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "")}, {loaded.Origin}{(tta == TestTimeAugmentation.None ? "" : $", tta: {tta.Name()}")}, on {device}";
        if (images.Count > 1)
            System.Console.WriteLine($"predict: {images.Count - failed.Count} of {images.Count} images in {clock.Elapsed.TotalSeconds:F1} s " +
                $"({(images.Count - failed.Count) / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):F1} images/s; {what})");
        else if (failed.Count == 0) System.Console.WriteLine($"({what})");
        if (failed.Count == 0) return Task.FromResult(0);
        System.Console.Error.WriteLine($"error: {failed.Count} of {images.Count} image(s) could not be read (named above){(images.Count > failed.Count ? "; the others' masks were written" : "")}");
        return Task.FromResult(1);
    }

    /// <summary>
    /// Where masks and overlays go: one image named as a file writes the files named (mask.png by default); anything
    /// else (several images, a folder, an --out that is a folder) writes &lt;image name&gt;.png into folders.
    /// </summary>
    private sealed record OutputPlan(IReadOnlyList<string> Masks, IReadOnlyList<string>? Overlays)
    {
        public static OutputPlan For(Settings s, IReadOnlyList<string> images)
        {
            string[] named = [.. s.Images, .. s.Image];
            bool oneFile = named.Length == 1 && !Directory.Exists(named[0]) && !IsFolder(s.Out) && !IsFolder(s.Overlay);
            if (oneFile)
            {
                var mask = s.Out ?? "mask.png";
                foreach (var (option, path) in new[] { ("--out", mask), ("--overlay", s.Overlay) })
                    if (path is not null && Same(path, images[0])) throw new PetSegException($"{option} {path} is the image itself; write the result elsewhere");
                if (s.Overlay is not null && Same(mask, s.Overlay)) throw new PetSegException($"--out and --overlay both name {mask}");
                return new OutputPlan([mask], s.Overlay is null ? null : [s.Overlay]);
            }
            var folder = s.Out ?? "masks";
            foreach (var (option, path) in new[] { ("--out", folder), ("--overlay", s.Overlay) })
                if (path is not null && File.Exists(Path.TrimEndingDirectorySeparator(path)))
                    throw new PetSegException($"{option} {path} is a file; several images are written into a folder (<image name>.png each)");
            if (s.Overlay is not null && Same(folder, s.Overlay)) throw new PetSegException($"--out and --overlay both name the folder {folder}: masks and overlays need folders of their own");
            // The folders come with the first file written into them: a run that fails before leaves none behind.
            return new OutputPlan(MaskPaths.InFolder(images, folder, "--out"), s.Overlay is null ? null : MaskPaths.InFolder(images, s.Overlay, "--overlay"));
        }

        private static bool IsFolder(string? path) =>
            path is not null && (Directory.Exists(path) || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith('/'));

        private static bool Same(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
    }
}
