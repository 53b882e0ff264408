using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using Spectre.Console.Cli;
using TorchSharp;

namespace PetSeg.Cli.Commands;

[Description("Measure throughput: preprocess | cache-read | data-path | train-step | epoch | hash (see README, Benchmarks).")]
public sealed class BenchCommand : GuardedCommand<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<WHAT>")][Description("preprocess | cache-read | data-path | train-step | epoch | hash")]
        public string What { get; init; } = "";
        [CommandOption("--count <N>")][Description("Synthetic 500×375 pairs to use (default 500).")]
        public int Count { get; init; } = 500;
        [CommandOption("--size <PX>")][Description("Target size (default 224).")]
        public int Size { get; init; } = 224;
        [CommandOption("--model <NAME>")][Description("train-step/epoch: unet-resnet34, segformer-mit_b0, simple-unet, simple-vit or all (default all).")]
        public string Model { get; init; } = "all";
        [CommandOption("--steps <N>")][Description("train-step: measured steps per model (default 20; RSS is compared across them).")]
        public int Steps { get; init; } = 20;
        [CommandOption("--epochs <N>")][Description("epoch: epochs to run (default 3; RSS is printed after each).")]
        public int Epochs { get; init; } = 3;
        [CommandOption("--threads <N>")][Description("torch threads (default: torch's default, the core count).")]
        public int? Threads { get; init; }
        [CommandOption("--bf16")][Description("train-step: bf16 forward/backward with fp32 master weights (training.precision: bf16).")]
        public bool Bf16 { get; init; }
        [CommandOption("--channels-last")][Description("train-step: feed the batch in channels-last layout, as the trainer does.")]
        public bool ChannelsLast { get; init; }
        [CommandOption("--work <DIR>")][Description("Scratch folder (default: $TMPDIR/petseg-bench, kept so generated data is reused).")]
        public string? Work { get; init; }
    }

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var work = s.Work ?? Path.Combine(Path.GetTempPath(), "petseg-bench");
        var root = Path.Combine(work, $"pets-{s.Count}");
        if (!File.Exists(Path.Combine(root, "annotations", "test.txt")))
        {
            System.Console.WriteLine($"generating {s.Count} synthetic 500×375 pairs in {root} ...");
            SyntheticPetGenerator.WriteLayout(root, new SyntheticPetOptions { Count = s.Count, MinWidth = 500, MaxWidth = 500, MinHeight = 375, MaxHeight = 375, Quirks = false });
        }
        var cachePath = Path.Combine(work, $"bench-{s.Count}-{s.Size}.petc");
        switch (s.What)
        {
            case "preprocess":
                var both = OxfordPetLayout.Splits.Select(split => OxfordPetDataset.Open(root, split)).ToList();
                Preprocessor.Run(both[0], cachePath, new PreprocessOptions(s.Size, s.Size)); // warm-up (JIT, page cache)
                var runs = new List<double>();
                for (int r = 0; r < 3; r++)
                {
                    var sw = Stopwatch.StartNew();
                    int n = 0;
                    foreach (var ds in both) n += Preprocessor.Run(ds, cachePath + "." + ds.Split, new PreprocessOptions(s.Size, s.Size)).Count;
                    runs.Add(n / sw.Elapsed.TotalSeconds);
                }
                runs.Sort();
                System.Console.WriteLine($"preprocess: {runs[1]:F0} pairs/s median of 3 (min {runs[0]:F0}, max {runs[2]:F0}), {Environment.ProcessorCount} cores; " +
                                         $"7,349 real pairs would take {7349 / runs[1]:F1} s");
                return Task.FromResult(0);
            case "cache-read":
                if (!File.Exists(cachePath)) Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), cachePath, new PreprocessOptions(s.Size, s.Size));
                using (var cache = TensorCache.Open(cachePath))
                {
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
                }
                return Task.FromResult(0);
            case "data-path":
            case "train-step":
            case "epoch":
            case "hash":
                if (s.Threads is { } t) torch.set_num_threads(t);
                return Task.FromResult(TrainingBenchmarks.Run(s.What, s, root, cachePath, ct));
            default:
                System.Console.Error.WriteLine($"error: unknown benchmark '{s.What}'; expected preprocess, cache-read, data-path, train-step, epoch or hash");
                return Task.FromResult(2);
        }
    }
}
