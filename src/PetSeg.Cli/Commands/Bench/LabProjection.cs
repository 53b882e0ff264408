using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Models.Layers;
using PetSeg.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>
/// `petseg bench lab`: each distinct model of the configured experiments (architecture, image size, batch, precision)
/// measured once through the trainer's step and the evaluator's forward, then the projected wall time of every
/// experiment — epochs × training images / train rate + test images / eval rate — so a user knows before starting
/// whether the configured lab is an evening or a weekend.
/// </summary>
internal static class LabProjection
{
    /// <summary>
    /// The samples each split trains and is scored on. Synthetic data: from its count (even indices train). The real
    /// data: its caches' sizes once preprocessed, else trainval 3,680 / test 3,669. A folder of one's own: its caches'
    /// sizes, else its pairs as the import splits them. With tiles, a cache counts them; without one, the images'
    /// count times the tiles an image of their typical size makes (<see cref="TilesPerImage"/>).
    /// </summary>
    public static (int Train, int Test) SplitSizes(PetSeg.Lab.Config.PipelineConfig config)
    {
        var (train, test, cached) = Counted(config);
        if (cached || config.Preprocess.TileScale is not { } scale) return (train, test);
        double perImage = TilesPerImage(config, scale);
        return ((int)Math.Round(train * perImage), (int)Math.Round(test * perImage));
    }

    private static (int Train, int Test, bool Cached) Counted(PetSeg.Lab.Config.PipelineConfig config)
    {
        if (config.Dataset.Source == "synthetic") return ((config.Dataset.Synthetic.Count + 1) / 2, config.Dataset.Synthetic.Count / 2, false);
        int? Cached(string split)
        {
            var path = PetSeg.Lab.Stages.PreprocessStage.CachePath(config, split);
            if (!File.Exists(path)) return null;
            using var cache = TensorCache.Open(path);
            return cache.Count;
        }
        if (Cached("trainval") is { } train && Cached("test") is { } test) return (train, test, true);
        if (config.Dataset.Folder is { } folder)
        {
            var (trainval, held) = PetSeg.Data.Dataset.FolderDatasetImporter.Split(PetSeg.Data.Dataset.FolderDatasetImporter.Pairs(folder), folder);
            return (trainval.Count, held.Count, false);
        }
        return (3680, 3669, false);
    }

    /// <summary>
    /// Tiles an image makes on average, before any is cut: synthetic pets of the middle of their size range; a folder's
    /// images, up to 20 of them measured; Oxford's photos, mostly 500×375.
    /// </summary>
    private static double TilesPerImage(PetSeg.Lab.Config.PipelineConfig config, double scale)
    {
        int size = config.Preprocess.ImageSize;
        var syn = config.Dataset.Synthetic;
        IEnumerable<(int Width, int Height)> sizes = config.Dataset.Source switch
        {
            "synthetic" => [((syn.MinWidth + syn.MaxWidth) / 2, (syn.MinHeight + syn.MaxHeight) / 2)],
            _ when config.Dataset.Folder is { } folder => PetSeg.Data.Dataset.FolderDatasetImporter.Pairs(folder).Take(20)
                .Select(p => PetSeg.Data.Imaging.ImageLoader.Size(p.ImagePath)),
            _ => [(500, 375)],
        };
        return sizes.Select(s => (double)PetSeg.Data.Imaging.TileGrid.For(s.Width, s.Height, scale, size).Count).DefaultIfEmpty(1).Average();
    }

    public static int Run(PetSeg.Lab.Config.PipelineConfig config, int steps, CancellationToken ct, string? deviceSetting = null)
    {
        var device = PetSeg.Compute.DeviceChoice.Resolve(deviceSetting ?? config.Compute.Device, System.Console.WriteLine);
        PetSeg.Compute.DeviceChoice.Prepare(device, config.Compute.Tf32, config.Compute.Deterministic, System.Console.WriteLine);
        var (trainImages, testImages) = SplitSizes(config);
        var samples = config.Preprocess.TileScale is { } tiles ? $"tiles (images scaled by {tiles.ToString(System.Globalization.CultureInfo.InvariantCulture)}, cut into {config.Preprocess.ImageSize}²)" : "images";
        System.Console.WriteLine($"bench lab: {config.Experiments.Count} experiment run(s), {trainImages:N0} training and {testImages:N0} test {samples}, " +
                                 $"{torch.get_num_threads()} torch threads, {device}; median of {steps} steps per model");
        System.Console.WriteLine($"  {Bfloat16Hardware.Describe()}");
        var rates = new Dictionary<string, (double Train, double Eval)>();
        double total = 0;
        foreach (var e in config.Experiments)
        {
            var s = e.Settings;
            var key = $"{s.Model.Architecture} {s.Model.ImageSize}² batch {s.BatchSize} {s.Precision.ToString().ToLowerInvariant()}" +
                      (e.EvalPrecision == Precision.Bf16 ? ", eval bf16" : "");
            if (!rates.TryGetValue(key, out var r))
            {
                r = rates[key] = Measure(s, e.EvalPrecision == Precision.Bf16, steps, ct, device);
                System.Console.WriteLine($"  {key}: train {r.Train:F2} images/s, eval {r.Eval:F2} images/s");
            }
            // A validation hold-out trains on the rest and scores the held-out images after every epoch and once more at the end.
            // A fold is one K-th of trainval, the first (n mod K) folds one image more (as they are dealt).
            int held = e.Folds > 0 ? trainImages / e.Folds + (e.Fold <= trainImages % e.Folds ? 1 : 0)
                : PetSeg.Data.Splits.ValidationSplit.HeldOutCount(trainImages, e.Validation);
            int images = Math.Min(trainImages - held, s.MaxTrainSamples ?? int.MaxValue);
            // The epochs' validation scores the plain model; the evaluate stage scores with its tta: (a flip doubles the forward passes).
            int passes = e.Tta == PetSeg.Inference.TestTimeAugmentation.HorizontalFlip ? 2 : 1;
            double seconds = s.Epochs * (images / r.Train + held / r.Eval) + passes * (testImages + held) / r.Eval;
            // overlap: a second pass over the test images in windows, about (1 / (1 − overlap))² of them per tile.
            if (e.Overlap > 0) seconds += passes * testImages / Math.Pow(1 - e.Overlap, 2) / r.Eval;
            total += seconds;
            var validation = held > 0 ? $" (+ {held:N0} validation{(e.Patience is null ? "" : ", at most: patience may stop it sooner")})"
                // A refit trains the row its matrix's validation chooses, for that row's epochs: unknown here, so projected with the first row's.
                : e.Refit is not null ? " (refit: projected with the first row's settings; it trains the chosen row's, for the epochs that row kept)" : "";
            System.Console.WriteLine($"  {e.Id,-28} {s.Epochs,3} epoch(s) × {images:N0} {(config.Preprocess.TileScale is null ? "images" : "tiles")}{validation}{(passes > 1 ? ", tta: hflip (evaluation ×2)" : "")} → {Format(seconds)}");
        }
        System.Console.WriteLine($"projected: {Format(total)} for training and evaluation (without data preparation, checkpoints and the report)");
        return 0;
    }

    private static string Format(double seconds) => TimeSpan.FromSeconds(seconds) is var t && t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : $"{t.Minutes} min {t.Seconds:D2} s";

    private static (double Train, double Eval) Measure(TrainSettings s, bool evalBf16, int steps, CancellationToken ct, Device device)
    {
        using var scope = NewDisposeScope();
        int batch = s.BatchSize;
        using var rig = new StepRig(s.Model, s.Optimizer, s.Precision == Precision.Bf16, batch, device);
        var times = StepTimer.TimeTrainSteps(rig.Step, rig.X, rig.Y, steps, ct);
        double train = batch / times[times.Count / 2];
        if (evalBf16) Bfloat16.Convert(rig.Model); // as the evaluate stage does with eval_precision: bf16
        double eval = batch / StepTimer.MedianEvalSeconds(rig.Model, rig.Images, Math.Max(3, steps / 2));
        return (train, eval);
    }
}
