using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.IO;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Progress;

namespace PetSeg.Pipeline.Stages;

/// <summary>Builds <c>data/cache/&lt;source&gt;-&lt;size&gt;/{trainval,test}.petc</c> from the extracted dataset.</summary>
public static class PreprocessStage
{
    public sealed record Result(IReadOnlyDictionary<string, string> CacheFiles, IReadOnlyDictionary<string, string> Digests, bool Rebuilt);

    public static string CacheDir(PipelineConfig c) => Path.Combine(c.DataDir, "cache", $"{c.Dataset.Source}-{c.Preprocess.ImageSize}");
    public static string CachePath(PipelineConfig c, string split) => Path.Combine(CacheDir(c), split + ".petc");

    public static Result Run(PipelineConfig config, DownloadStage.Result dataset, IProgressSink ui, CancellationToken ct = default)
    {
        var p = config.Preprocess;
        var key = Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(
            $"{CodeVersion.Preprocess}\n{dataset.DatasetDigest}\nsize={p.ImageSize}\nskip_bad={p.SkipBadSamples}"));
        var stampPath = Path.Combine(CacheDir(config), "preprocess.json");
        var files = OxfordPetLayout.Splits.ToDictionary(s => s, s => CachePath(config, s));

        if (StageStamp.TryRead(stampPath) is { } stamp && stamp.Key == key && files.Values.All(File.Exists))
        {
            var digests = new Dictionary<string, string>();
            bool intact = true;
            foreach (var (split, path) in files)
            {
                try { using var c = TensorCache.Open(path, verify: false); digests[split] = c.Digest; }
                catch (TensorCacheException) { intact = false; }
                intact &= digests.GetValueOrDefault(split) == stamp.Outputs.GetValueOrDefault(split);
            }
            if (intact)
            {
                ui.Info($"preprocess: up to date ({CacheDir(config)}, key {key[..20]}…)");
                return new Result(files, digests, Rebuilt: false);
            }
        }

        var outputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var split in OxfordPetLayout.Splits)
        {
            var ds = OxfordPetDataset.Open(dataset.Layout.Root, split, p.SkipBadSamples);
            var started = System.Diagnostics.Stopwatch.StartNew();
            PreprocessResult r;
            using (var bar = ui.Bar($"preprocess {split}", ds.Samples.Count, ProgressUnit.Items))
            {
                var progress = new SyncProgress<int>(done => bar.Update(done));
                r = Preprocessor.Run(ds, files[split], new PreprocessOptions(p.ImageSize, p.ImageSize, p.SkipBadSamples, p.Threads > 0 ? p.Threads : -1), progress, ct);
            }
            foreach (var s in r.Skipped) ui.Info($"preprocess: skipped {s}");
            ui.Info($"preprocess: {split}: {r.Count:N0} pairs at {p.ImageSize}×{p.ImageSize} in {started.Elapsed.TotalSeconds:F1} s ({r.Count / Math.Max(started.Elapsed.TotalSeconds, 1e-9):F0} pairs/s) → {r.Path}");
            outputs[split] = r.Digest;
        }
        new StageStamp("preprocess", key, outputs).Write(stampPath);
        return new Result(files, outputs, Rebuilt: true);
    }
}
