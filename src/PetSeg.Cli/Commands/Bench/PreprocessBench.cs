using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;

namespace PetSeg.Cli.Commands.Bench;

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
