using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.IO;
using PetSeg.Models;
using PetSeg.Core;
using PetSeg.Training;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;
using PetSeg.Models.Layers;
using PetSeg.Models.Input;
using PetSeg.Inference;

namespace PetSeg.Cli.Commands;

/// <summary>The model- and store-side benchmarks of `petseg bench`: figures for the issues' performance goals.</summary>
internal static class TrainingBenchmarks
{
    private static double RssMiB() => Environment.WorkingSet / 1048576.0;

    /// <summary>Where the process's memory is: native heap in use and held (glibc), managed heap, finalizer queue.</summary>
    private static string MemoryBreakdown()
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var native = NativeHeap.Usage();
        return $"RSS {RssMiB():F0} MiB, " +
               (native is null ? "" : $"native heap {native.InUseBytes / 1048576.0:F0} MiB in use of {(native.ArenaBytes + native.MappedBytes) / 1048576.0:F0}, ") +
               $"managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB (committed {gc.TotalCommittedBytes / 1048576.0:F0}), " +
               $"{gc.FinalizationPendingCount} objects awaiting finalizers, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} gen0/1/2 collections; " +
               $"tensors on this thread: {DisposeScopeManager.Statistics}";
    }

    public static TensorCache EnsureCache(string root, string cachePath, int size)
    {
        if (!File.Exists(cachePath)) Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), cachePath, new PreprocessOptions(size, size));
        return TensorCache.Open(cachePath);
    }

    /// <summary>Cache read + lab augmentation + normalize for shuffled batches of 16, images/s (what training consumes).</summary>
    public static int DataPath(BenchSettings.Data s, string root, string cachePath)
    {
        using var cache = EnsureCache(root, cachePath, s.Size);
        var augmenter = new BatchAugmenter(AugmentationSettings.Lab);
        var rng = new Random(0);
        var idx = new int[16];
        var rates = new List<double>();
        for (int round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            int images = 0;
            for (int b = 0; b < 40; b++)
            {
                using var scope = NewDisposeScope();
                for (int k = 0; k < 16; k++) idx[k] = rng.Next(cache.Count);
                var (img, msk) = cache.ReadBatch(idx);
                (img, msk) = BatchAugmenter.Apply(img, msk, augmenter.Draw(rng, 16, cache.Width, cache.Height));
                var x = ImageNetNormalize.Apply(img);
                var y = msk.to_type(ScalarType.Int64);
                images += 16;
            }
            if (round > 0) rates.Add(images / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        System.Console.WriteLine($"data-path: cache read + flip/brightness-contrast/shift-scale-rotate + normalize, batch 16 at {s.Size}×{s.Size}: " +
                                 $"median {rates[rates.Count / 2]:F0} images/s (min {rates[0]:F0}, max {rates[^1]:F0}), {torch.get_num_threads()} torch threads");
        return 0;
    }

    /// <summary>
    /// The trainer's own <see cref="TrainingStep"/> (input through <see cref="ImageNetNormalize"/>, channels-last as
    /// in training) at batch 16, 3×size², then eval forwards; median step, optional per-phase medians, RSS.
    /// </summary>
    public static int TrainStep(BenchSettings.TrainStep s, CancellationToken ct)
    {
        var models = s.Model == "all" ? ModelZoo.Architectures : [s.Model];
        var device = PetSeg.Compute.DeviceChoice.Resolve(s.Device, System.Console.WriteLine);
        PetSeg.Compute.DeviceChoice.Prepare(device, tf32: true, deterministic: true);
        if (PetSeg.Compute.KernelPaths.TryParse(s.Kernels, out var forced))
        {
            // A path forced for measuring: unchecked, so a faulty one is measured too (its results are not kept).
            PetSeg.Compute.ComputeBackend.Configure(PetSeg.Compute.NumericsMode.Off);
            PetSeg.Compute.ComputeBackend.Switch(forced);
        }
        foreach (var name in models)
        {
            manual_seed(0);
            var spec = new ModelSpec(name, ImageSize: s.Size);
            var model = ModelZoo.Create(spec);
            model.to(device);
            using var opt = new AdamOptimizer(model.named_parameters(), new AdamSettings(1e-4));
            using var shadow = s.Bf16 ? new Bf16Shadow(model, spec) : null; // as the trainer's bf16 mode
            var step = new TrainingStep(model, opt, shadow);
            int batch = Math.Max(1, s.Batch);
            var images = randint(0, 256, [batch, 3, s.Size, s.Size], dtype: ScalarType.Byte, device: device);
            var x = ImageNetNormalize.Apply(images);
            var y = randint(0, 2, [batch, s.Size, s.Size], dtype: ScalarType.Byte, device: device);
            var timings = new StepTimings();
            double rssBefore = 0, rssPeak = 0;
            var rssTrace = new List<double>();
            var stepTimes = TimeTrainSteps(step, x, y, s.Steps, ct, timings,
                afterWarmUp: () => { GC.Collect(); rssBefore = rssPeak = RssMiB(); },
                afterStep: i =>
                {
                    double rss = RssMiB();
                    rssPeak = Math.Max(rssPeak, rss);
                    if (i % Math.Max(1, s.Steps / 10) == 0 || i == s.Steps - 1) rssTrace.Add(rss);
                });
            double rssAfter = RssMiB();
            double trainRate = batch / stepTimes[stepTimes.Count / 2]; // median step: robust to a noisy shared VM
            double evalRate = batch / MedianEvalSeconds(shadow?.Prepare(training: false) ?? model, images, Math.Max(3, s.Steps / 2));
            System.Console.WriteLine($"train-step {name}: {trainRate:F2} images/s train (median step {stepTimes[stepTimes.Count / 2]:F3} s, min {stepTimes[0]:F3}, max {stepTimes[^1]:F3}), {evalRate:F2} images/s eval forward " +
                                     $"(batch {batch}, {s.Size}², {s.Steps} steps, {torch.get_num_threads()} threads{(s.Bf16 ? ", bf16" : "")}{(NativeMemory.Enabled ? "" : ", no GC per batch")}{(NativeHeap.Mode == "kept" ? "" : ", system heap")}, {device}, kernels: {PetSeg.Compute.KernelPaths.Name(PetSeg.Compute.ComputeBackend.Path)}); " +
                                     $"RSS {rssBefore:F0} → {rssAfter:F0} MiB (peak {rssPeak:F0}; {string.Join(" ", rssTrace.Select(r => r.ToString("F0")))})");
            if (s.Phases)
                System.Console.WriteLine("  phases (median s): " + string.Join(", ", timings.Medians().Where(p => p.Median > 0).Select(p => $"{p.Phase} {p.Median:F3}")));
            System.Console.WriteLine($"  memory after the steps: {MemoryBreakdown()}");
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            System.Console.WriteLine($"  after a full GC and the finalizers: {MemoryBreakdown()} (what only finalizers held)");
            model.Dispose();
        }
        return 0;
    }

    /// <summary>
    /// Seconds of <paramref name="steps"/> runs of the trainer's step, sorted, after two warm-up steps (allocator,
    /// optimizer state); finalizer-held memory is released after each step as the trainer does
    /// (PETSEG_NO_GC_PER_BATCH=1 turns that off). Only the measured steps feed <paramref name="timings"/>.
    /// </summary>
    internal static List<double> TimeTrainSteps(TrainingStep step, Tensor x, Tensor y, int steps, CancellationToken ct,
        StepTimings? timings = null, Action? afterWarmUp = null, Action<int>? afterStep = null)
    {
        for (int i = 0; i < 2; i++) { step.Run(x, y); NativeMemory.Release(); }
        afterWarmUp?.Invoke();
        var times = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            step.Run(x, y, timings);
            NativeMemory.Release();
            times.Add(sw.Elapsed.TotalSeconds);
            afterStep?.Invoke(i);
        }
        times.Sort();
        return times;
    }

    /// <summary>Median seconds of <paramref name="count"/> batches through <see cref="ClassPredictor"/> (the evaluator's inference path), after one warm-up batch.</summary>
    internal static double MedianEvalSeconds(nn.Module<Tensor, Tensor> model, Tensor imagesUint8, int count)
    {
        var times = new List<double>();
        for (int i = 0; i < count + 1; i++)
        {
            var sw = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            _ = ClassPredictor.PredictClasses(model, imagesUint8).sum().item<long>();
            if (i > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>One full SimpleUNet epoch (or --model) over --count synthetic trainval images at --size, with RSS over 3 epochs.</summary>
    public static int Epoch(BenchSettings.Epoch s, string root, CancellationToken ct)
    {
        var cachePath = Path.Combine(Path.GetDirectoryName(root)!, $"epoch-{s.Count}-{s.Size}.petc");
        using var cache = EnsureCache(root, cachePath, s.Size);
        var model = s.Model == "all" ? ModelZoo.SimpleUnet : s.Model;
        var settings = new TrainSettings(new ModelSpec(model, ImageSize: s.Size), new AdamSettings(1e-3), Epochs: s.Epochs, Seed: 1);
        var runDir = Path.Combine(Path.GetTempPath(), "petseg-bench-epoch");
        AtomicFile.TryDelete(runDir);
        var rss = new List<double> { RssMiB() };
        var trainer = new Trainer(settings, runDir, new EpochRss(rss));
        var sw = Stopwatch.StartNew();
        var r = trainer.Run(cache, "bench", ct);
        System.Console.WriteLine($"epoch {model}: {cache.Count} images at {s.Size}², {s.Epochs} epoch(s) in {sw.Elapsed.TotalSeconds:F0} s " +
                                 $"({sw.Elapsed.TotalSeconds / s.Epochs:F0} s/epoch, {s.Epochs * cache.Count / sw.Elapsed.TotalSeconds:F2} images/s); " +
                                 $"RSS at start and after each epoch: {string.Join(" → ", rss.Select(v => v.ToString("F0")))} MiB; losses {string.Join(", ", r.EpochLosses.Select(l => l.ToString("F4")))}");
        AtomicFile.TryDelete(runDir);
        return 0;
    }

    private sealed class EpochRss(List<double> rss) : IProgressSink
    {
        public void Info(string line) { System.Console.WriteLine(line); if (line.StartsWith("epoch ", StringComparison.Ordinal)) { GC.Collect(); rss.Add(RssMiB()); } }
        public PetSeg.Core.IProgressBar Bar(string description, double total, ProgressUnit unit) => NullProgressSink.Instance.Bar(description, total, unit);
    }

    /// <summary>Store hashing (XxHash128) of a 1 GiB file, cold-ish and then from the page cache.</summary>
    public static int Hash(BenchSettings s)
    {
        var path = Path.Combine(s.WorkDir, "petseg-hash-1g.bin");
        if (!File.Exists(path) || new FileInfo(path).Length != 1L << 30)
        {
            var buf = new byte[1 << 20];
            new Random(1).NextBytes(buf);
            using var fs = File.Create(path);
            for (int i = 0; i < 1024; i++) fs.Write(buf);
        }
        var rates = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            var sw = Stopwatch.StartNew();
            Digest.OfFile(path);
            rates.Add(1.0 / sw.Elapsed.TotalSeconds);
        }
        System.Console.WriteLine($"hash: 1 GiB with XxHash128: first pass {rates[0]:F2} GiB/s, then {string.Join(", ", rates.Skip(1).Select(r => r.ToString("F2")))} GiB/s (page cache)");
        return 0;
    }
}

/// <summary>
/// `petseg bench lab`: each distinct model of the configured experiments (architecture, image size, batch, precision)
/// measured once through the trainer's step and the evaluator's forward, then the projected wall time of every
/// experiment — epochs × training images / train rate + test images / eval rate — so a user knows before starting
/// whether the configured lab is an evening or a weekend.
/// </summary>
internal static class LabProjection
{
    /// <summary>Synthetic data: from its count (even indices train). The real data: its caches' sizes once preprocessed, else trainval 3,680 / test 3,669.</summary>
    public static (int Train, int Test) SplitSizes(PetSeg.Lab.Config.PipelineConfig config)
    {
        if (config.Dataset.Source == "synthetic") return ((config.Dataset.Synthetic.Count + 1) / 2, config.Dataset.Synthetic.Count / 2);
        int Cached(string split, int fallback)
        {
            var path = PetSeg.Lab.Stages.PreprocessStage.CachePath(config, split);
            if (!File.Exists(path)) return fallback;
            using var cache = TensorCache.Open(path);
            return cache.Count;
        }
        return (Cached("trainval", 3680), Cached("test", 3669));
    }

    public static int Run(PetSeg.Lab.Config.PipelineConfig config, int steps, CancellationToken ct, string? deviceSetting = null)
    {
        var device = PetSeg.Compute.DeviceChoice.Resolve(deviceSetting ?? config.Compute.Device, System.Console.WriteLine);
        PetSeg.Compute.DeviceChoice.Prepare(device, config.Compute.Tf32, config.Compute.Deterministic);
        var (trainImages, testImages) = SplitSizes(config);
        System.Console.WriteLine($"bench lab: {config.Experiments.Count} experiment run(s), {trainImages:N0} training and {testImages:N0} test images, " +
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
            int images = Math.Min(trainImages, s.MaxTrainSamples ?? int.MaxValue);
            double seconds = s.Epochs * images / r.Train + testImages / r.Eval;
            total += seconds;
            System.Console.WriteLine($"  {e.Id,-28} {s.Epochs,3} epoch(s) × {images:N0} images → {Format(seconds)}");
        }
        System.Console.WriteLine($"projected: {Format(total)} for training and evaluation (without data preparation, checkpoints and the report)");
        return 0;
    }

    private static string Format(double seconds) => TimeSpan.FromSeconds(seconds) is var t && t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : $"{t.Minutes} min {t.Seconds:D2} s";

    private static (double Train, double Eval) Measure(TrainSettings s, bool evalBf16, int steps, CancellationToken ct, Device device)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var model = ModelZoo.Create(s.Model);
        model.to(device);
        using var opt = new AdamOptimizer(model.named_parameters(), s.Optimizer);
        using var shadow = s.Precision == Precision.Bf16 ? new Bf16Shadow(model, s.Model) : null;
        var step = new TrainingStep(model, opt, shadow);
        int size = s.Model.ImageSize, batch = s.BatchSize;
        var images = randint(0, 256, [batch, 3, size, size], dtype: ScalarType.Byte, device: device);
        var x = ImageNetNormalize.Apply(images);
        var y = randint(0, 2, [batch, size, size], dtype: ScalarType.Byte, device: device);
        var times = TrainingBenchmarks.TimeTrainSteps(step, x, y, steps, ct);
        double train = batch / times[times.Count / 2];
        if (evalBf16) Bfloat16.Convert(model); // as the evaluate stage does with eval_precision: bf16
        double eval = batch / TrainingBenchmarks.MedianEvalSeconds(model, images, Math.Max(3, steps / 2));
        model.Dispose();
        return (train, eval);
    }
}
