using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Models;
using PetSeg.Training;
using PetSeg.Training.Optim;

namespace PetSeg.Cli.Commands.Bench;

[Description("Whole training epochs through the Trainer, images/s and RSS after each epoch.")]
public sealed class EpochBench : BenchCommand<BenchSettings.Epoch>
{
    /// <summary>One full SimpleUNet epoch (or --model) over --count synthetic trainval images at --size, with RSS over 3 epochs.</summary>
    protected override int Measure(BenchSettings.Epoch s, CancellationToken ct)
    {
        var root = s.EnsureDataset();
        var cachePath = Path.Combine(Path.GetDirectoryName(root)!, $"epoch-{s.Count}-{s.Size}.petc");
        using var cache = BenchCache.Open(root, cachePath, s.Size);
        var model = s.Model == "all" ? ModelZoo.SimpleUnet : s.Model;
        var settings = new TrainSettings(new ModelSpec(model, ImageSize: s.Size), new AdamSettings(1e-3), Epochs: s.Epochs, Seed: 1);
        var runDir = Path.Combine(Path.GetTempPath(), "petseg-bench-epoch");
        AtomicFile.TryDelete(runDir);
        var rss = new List<double> { BenchMemory.RssMiB() };
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
        public void Info(string line) { System.Console.WriteLine(line); if (line.StartsWith("epoch ", StringComparison.Ordinal)) { GC.Collect(); rss.Add(BenchMemory.RssMiB()); } }
        public PetSeg.Core.IProgressBar Bar(string description, double total, ProgressUnit unit) => NullProgressSink.Instance.Bar(description, total, unit);
    }
}
