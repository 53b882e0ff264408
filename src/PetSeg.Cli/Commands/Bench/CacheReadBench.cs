using System.ComponentModel;
using System.Diagnostics;
using TorchSharp;

namespace PetSeg.Cli.Commands.Bench;

[Description("Read shuffled batches of 16 from the memory-mapped cache, ms per batch.")]
public sealed class CacheReadBench : BenchCommand<BenchSettings.Data>
{
    protected override int Measure(BenchSettings.Data s, CancellationToken ct)
    {
        using var cache = BenchCache.Open(s.EnsureDataset(), s.CachePath, s.Size);
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
