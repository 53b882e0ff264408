using PetSeg.Lab;
using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using Spectre.Console.Cli;
using TorchSharp;

namespace PetSeg.Cli.Commands;

/// <summary>Options every benchmark takes; each subcommand adds only its own.</summary>
public class BenchSettings : CommandSettings
{
    [CommandOption("--threads <N>")][Description("torch threads (default: torch's default, the core count).")]
    public int? Threads { get; init; }
    [CommandOption("--work <DIR>")][Description("Scratch folder (default: $TMPDIR/petseg-bench, kept so generated data is reused).")]
    public string? Work { get; init; }

    public string WorkDir => Work ?? Path.Combine(Path.GetTempPath(), "petseg-bench");

    /// <summary>Benchmarks over generated 500×375 pairs.</summary>
    public class Data : BenchSettings
    {
        [CommandOption("--count <N>")][Description("Synthetic 500×375 pairs to use (default 500).")]
        public int Count { get; init; } = 500;
        [CommandOption("--size <PX>")][Description("Target size (default 224).")]
        public int Size { get; init; } = 224;

        public string Root => Path.Combine(WorkDir, $"pets-{Count}");
        public string CachePath => Path.Combine(WorkDir, $"bench-{Count}-{Size}.petc");

        /// <summary>Generates the pairs once; later runs reuse them.</summary>
        public string EnsureDataset()
        {
            if (!File.Exists(Path.Combine(Root, "annotations", "test.txt")))
            {
                System.Console.WriteLine($"generating {Count} synthetic 500×375 pairs in {Root} ...");
                SyntheticPetGenerator.WriteLayout(Root, new SyntheticPetOptions { Count = Count, MinWidth = 500, MaxWidth = 500, MinHeight = 375, MaxHeight = 375, Quirks = false });
            }
            return Root;
        }
    }

    public sealed class TrainStep : BenchSettings
    {
        [CommandOption("--model <NAME>")][Description("unet-resnet34, segformer-mit_b0, simple-unet, simple-vit or all (default all).")]
        public string Model { get; init; } = "all";
        [CommandOption("--size <PX>")][Description("Input size (default 224).")]
        public int Size { get; init; } = 224;
        [CommandOption("--batch <N>")][Description("Batch size (default 16, the lab's).")]
        public int Batch { get; init; } = 16;
        [CommandOption("--steps <N>")][Description("Measured steps per model (default 20; RSS is compared across them).")]
        public int Steps { get; init; } = 20;
        [CommandOption("--bf16")][Description("bf16 forward/backward with fp32 master weights (training.precision: bf16).")]
        public bool Bf16 { get; init; }
        [CommandOption("--phases")][Description("Also print the median time of each phase of the step (weight copy, forward, backward, grads, optimizer).")]
        public bool Phases { get; init; }
        [CommandOption("--device <DEVICE>")][Description("auto (default), cpu, cuda or cuda:N; TF32 on and cuDNN deterministic on CUDA, as training.")]
        public string Device { get; init; } = "auto";
        [CommandOption("--kernels <PATH>")][Description("auto (default: the path the numerics self-check picks), or force onednn, padded (narrow convolutions padded to 16 output channels) or onednn-off, to measure what each costs.")]
        public string Kernels { get; init; } = "auto";

        public override Spectre.Console.ValidationResult Validate() => Kernels == "auto" || PetSeg.Compute.KernelPaths.TryParse(Kernels, out _)
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--kernels must be auto, {string.Join(", ", PetSeg.Compute.KernelPaths.ShortNames)}, not '{Kernels}'");
    }

    public sealed class Lab : BenchSettings
    {
        [CommandOption("-c|--config <FILE>")][Description("Pipeline definition (default: pipeline.yaml in the current folder).")]
        public string Config { get; init; } = PetSeg.Lab.PipelineConfigLoader.DefaultFile;
        [CommandOption("-p|--profile <NAME>")][Description("Profile to overlay, e.g. 'demo'. Also read from $PETSEG_PROFILE.")]
        public string? Profile { get; init; }
        [CommandOption("--steps <N>")][Description("Measured training steps per distinct model (default 6; the median counts).")]
        public int Steps { get; init; } = 6;
        [CommandOption("--device <DEVICE>")][Description("auto, cpu, cuda or cuda:N (default: compute.device).")]
        public string? Device { get; init; }
    }

    public sealed class Epoch : Data
    {
        [CommandOption("--model <NAME>")][Description("Model to train (default simple-unet).")]
        public string Model { get; init; } = "all";
        [CommandOption("--epochs <N>")][Description("Epochs to run (default 3; RSS is printed after each).")]
        public int Epochs { get; init; } = 3;
    }
}

/// <summary>A benchmark command: applies the common options, then measures.</summary>
public abstract class BenchCommand<TSettings> : GuardedCommand<TSettings> where TSettings : BenchSettings
{
    protected abstract int Measure(TSettings s, CancellationToken ct);

    protected sealed override Task<int> RunAsync(TSettings s, CancellationToken ct)
    {
        if (s.Threads is { } t) torch.set_num_threads(t);
        Directory.CreateDirectory(s.WorkDir);
        return Task.FromResult(Measure(s, ct));
    }
}

[Description("Decode + resize 500×375 JPEG/PNG pairs to the cache, pairs/s (median of 3).")]
public sealed class PreprocessBench : BenchCommand<BenchSettings.Data>
{
    protected override int Measure(BenchSettings.Data s, CancellationToken ct)
    {
        var root = s.EnsureDataset();
        var both = OxfordPetLayout.Splits.Select(split => OxfordPetDataset.Open(root, split)).ToList();
        Preprocessor.Run(both[0], s.CachePath, new PreprocessOptions(s.Size, s.Size)); // warm-up (JIT, page cache)
        var runs = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            var sw = Stopwatch.StartNew();
            int n = 0;
            foreach (var ds in both) n += Preprocessor.Run(ds, s.CachePath + "." + ds.Split, new PreprocessOptions(s.Size, s.Size), ct: ct).Count;
            runs.Add(n / sw.Elapsed.TotalSeconds);
        }
        runs.Sort();
        System.Console.WriteLine($"preprocess: {runs[1]:F0} pairs/s median of 3 (min {runs[0]:F0}, max {runs[2]:F0}), {Environment.ProcessorCount} cores; " +
                                 $"7,349 real pairs would take {7349 / runs[1]:F1} s");
        return 0;
    }
}

[Description("Read shuffled batches of 16 from the memory-mapped cache, ms per batch.")]
public sealed class CacheReadBench : BenchCommand<BenchSettings.Data>
{
    protected override int Measure(BenchSettings.Data s, CancellationToken ct)
    {
        using var cache = TrainingBenchmarks.EnsureCache(s.EnsureDataset(), s.CachePath, s.Size);
        var rng = new Random(0);
        var times = new List<double>();
        var idx = new int[16];
        for (int it = 0; it < 520; it++)
        {
            for (int k = 0; k < 16; k++) idx[k] = rng.Next(cache.Count);
            var sw = Stopwatch.StartNew();
            using (var scope = torch.NewDisposeScope()) cache.ReadBatch(idx);
            if (it >= 20) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        System.Console.WriteLine($"cache-read: batch of 16 at {s.Size}×{s.Size}: median {times[times.Count / 2]:F3} ms, p95 {times[(int)(times.Count * 0.95)]:F3} ms, max {times[^1]:F3} ms over {times.Count} batches");
        return 0;
    }
}

[Description("Cache read + the lab's augmentation + normalize, images/s (what training consumes).")]
public sealed class DataPathBench : BenchCommand<BenchSettings.Data>
{
    protected override int Measure(BenchSettings.Data s, CancellationToken ct) => TrainingBenchmarks.DataPath(s, s.EnsureDataset(), s.CachePath);
}

[Description("Training and eval steps of each model at batch 16, images/s (median step) and RSS.")]
public sealed class TrainStepBench : BenchCommand<BenchSettings.TrainStep>
{
    protected override int Measure(BenchSettings.TrainStep s, CancellationToken ct) => TrainingBenchmarks.TrainStep(s, ct);
}

[Description("Each configured model's train and eval rate at its precision, and the projected wall time of the configured experiments.")]
public sealed class LabBench : BenchCommand<BenchSettings.Lab>
{
    protected override int Measure(BenchSettings.Lab s, CancellationToken ct) =>
        LabProjection.Run(PetSeg.Lab.PipelineConfigLoader.Load(s.Config, s.Profile ?? Environment.GetEnvironmentVariable("PETSEG_PROFILE")), Math.Max(1, s.Steps), ct, s.Device);
}

[Description("Whole training epochs through the Trainer, images/s and RSS after each epoch.")]
public sealed class EpochBench : BenchCommand<BenchSettings.Epoch>
{
    protected override int Measure(BenchSettings.Epoch s, CancellationToken ct) => TrainingBenchmarks.Epoch(s, s.EnsureDataset(), ct);
}

[Description("Store hashing (XxHash128) of a 1 GiB file, GiB/s.")]
public sealed class HashBench : BenchCommand<BenchSettings>
{
    protected override int Measure(BenchSettings s, CancellationToken ct) => TrainingBenchmarks.Hash(s);
}

public sealed class RemoteBenchSettings : BenchSettings
{
    [CommandOption("--url <URL>")][Description("Remote to measure: s3://bucket/prefix, file:///path or http(s)://host/path.")]
    public string Url { get; init; } = "";
    [CommandOption("--endpoint <URL>")][Description("S3-compatible server URL (as 'endpoint:' in pipeline.yaml).")]
    public string? Endpoint { get; init; }
    [CommandOption("--mib <N>")][Description("Object size in MiB (default 300: a Unet's weights plus Adam state).")]
    public int MiB { get; init; } = 300;

    public override Spectre.Console.ValidationResult Validate() =>
        string.IsNullOrEmpty(Url) ? Spectre.Console.ValidationResult.Error("--url is required") : Spectre.Console.ValidationResult.Success();
}

[Description("Push and pull of one object through a remote (upload; download + SHA-256 check, as a pull does), MB/s.")]
public sealed class RemoteBench : BenchCommand<RemoteBenchSettings>
{
    protected override int Measure(RemoteBenchSettings s, CancellationToken ct)
    {
        var file = Path.Combine(s.WorkDir, $"remote-{s.MiB}.bin");
        if (!File.Exists(file) || new FileInfo(file).Length != (long)s.MiB << 20)
        {
            var buffer = new byte[1 << 20];
            using var f = File.Create(file);
            for (int i = 0; i < s.MiB; i++) { System.Security.Cryptography.RandomNumberGenerator.Fill(buffer); f.Write(buffer); }
        }
        using var remote = PetSeg.Workflow.Remote.RemoteRegistry.Open(new PetSeg.Workflow.Remote.RemoteConfig("bench", s.Url, s.Endpoint));
        var key = $"bench/{Guid.NewGuid():N}";
        double mb = s.MiB * 1.048576;
        var sw = Stopwatch.StartNew();
        remote.PutAsync(key, file, _ => { }, ct).GetAwaiter().GetResult();
        var put = sw.Elapsed.TotalSeconds;
        var back = file + ".back";
        File.Delete(back);
        sw.Restart();
        remote.GetAsync(key, back, _ => { }, ct).GetAwaiter().GetResult();
        using (var b = File.OpenRead(back)) System.Security.Cryptography.SHA256.HashData(b);
        var get = sw.Elapsed.TotalSeconds;
        File.Delete(back);
        System.Console.WriteLine($"remote {remote.Description}: {s.MiB} MiB push {put:F2} s ({mb / put:F0} MB/s), pull + SHA-256 {get:F2} s ({mb / get:F0} MB/s)");
        return 0;
    }
}
