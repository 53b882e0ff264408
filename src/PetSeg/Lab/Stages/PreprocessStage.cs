using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Decoded, resized uint8 tensors of both splits: <c>artifacts/data/cache/&lt;source&gt;-&lt;size&gt;/{trainval,test}.petc</c>,
/// kept in place (not copied into the store, which records their digests).
/// </summary>
public sealed class PreprocessStage(PipelineConfig config) : Stage
{
    public override string Id => StageIds.Preprocess;
    public override bool WritesInPlace => true; // under artifacts/data
    public override string Kind => StageIds.Preprocess;
    public override string CodeVersion => StageVersions.Preprocess;
    public override IReadOnlyList<string> DependsOn => [StageIds.Download];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["image_size"] = CanonicalParams.Of(config.Preprocess.ImageSize),
                ["skip_bad_samples"] = CanonicalParams.Of(config.Preprocess.SkipBadSamples),
            };
            if (config.Dataset.BySpecies) p["labels"] = config.Dataset.Labels; // absent = the lab's pet labels, so its keys stay
            if (config.Preprocess.TileScale is { } scale) p["tiles"] = $"scale={CanonicalParams.Of(scale)}"; // absent = whole images, likewise
            return p;
        }
    }

    /// <param name="dataDir">The data folder it is under: the workspace's (<see cref="PipelineConfig.DataDir"/>) when null.</param>
    public static string CacheDir(PipelineConfig c, string? dataDir = null) =>
        Path.Combine(dataDir ?? c.DataDir, "cache", $"{c.Dataset.Source}-{c.Preprocess.ImageSize}{(c.Dataset.BySpecies ? "-species" : "")}" +
                     (c.Preprocess.TileScale is { } scale ? $"-tiles{CanonicalParams.Of(scale)}" : ""));
    public static string CachePath(PipelineConfig c, string split, string? dataDir = null) => Path.Combine(CacheDir(c, dataDir), split + ".petc");

    /// <summary>The name of a split's cache among this stage's outputs (what train and evaluate ask for).</summary>
    public static string OutputName(string split) => split + ".petc";

    /// <summary>A cache that differs is told by sample (which images and masks, by how much), for <c>run --check</c>.</summary>
    public override string? Difference(string output, string storedPath, string recomputedPath) => TensorCacheDifference.Describe(storedPath, recomputedPath);

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var p = config.Preprocess;
        var root = c.Input(StageIds.Download, DownloadStage.DatasetOutput).Path;
        var outputs = new Dictionary<string, StageOutput>();
        var problems = new List<string>();
        foreach (var split in OxfordPetLayout.Splits)
        {
            try
            {
                var ds = OxfordPetDataset.Open(root, split, p.SkipBadSamples, config.Dataset.BySpecies);
                var started = System.Diagnostics.Stopwatch.StartNew();
                PreprocessResult r;
                using (var bar = c.Ui.Bar($"preprocess {split}", ds.Samples.Count, ProgressUnit.Items))
                {
                    var progress = new SyncProgress<int>(done => bar.Update(done));
                    r = Preprocessor.Run(ds, CachePath(config, split, c.InPlaceDir), new PreprocessOptions(p.ImageSize, p.ImageSize, p.SkipBadSamples, p.Threads > 0 ? p.Threads : -1, p.TileScale), progress, c.Cancellation);
                }
                foreach (var s in r.Skipped) c.Ui.Info($"preprocess: skipped {s}");
                var seconds = Math.Max(started.Elapsed.TotalSeconds, 1e-9);
                var pairs = ds.Samples.Count - (r.Skipped.Count - ds.Skipped.Count); // r.Skipped also lists what the dataset left out before
                c.Ui.Info(p.TileScale is { } scale
                    ? $"preprocess: {split}: {pairs:N0} pairs scaled by {CanonicalParams.Of(scale)} and cut into {r.Count:N0} tiles of {p.ImageSize}×{p.ImageSize} in {started.Elapsed.TotalSeconds:F1} s ({pairs / seconds:F0} pairs/s) → {r.Path}"
                    : $"preprocess: {split}: {r.Count:N0} pairs at {p.ImageSize}×{p.ImageSize} in {started.Elapsed.TotalSeconds:F1} s ({r.Count / seconds:F0} pairs/s) → {r.Path}");
                outputs[OutputName(split)] = c.Output(r.Path);
            }
            catch (DatasetException e) { problems.Add(e.Message); } // report every split's bad files at once
        }
        if (problems.Count > 0) throw new DatasetException(string.Join("\n", problems));
        return outputs;
    }
}
