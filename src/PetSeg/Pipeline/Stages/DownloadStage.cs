using PetSeg.Data.Archives;
using PetSeg.Data.Dataset;
using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;
using PetSeg.IO;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Progress;

namespace PetSeg.Pipeline.Stages;

/// <summary>
/// Fetches (or, for the synthetic source, generates) <c>images.tar.gz</c> and <c>annotations.tar.gz</c>, then
/// extracts them safely into <c>data/oxford-iiit-pet/</c>. The folder is published by rename after a complete
/// extraction and carries a stamp of the archives' digests, so a half-extracted tree is never taken for valid.
/// </summary>
public static class DownloadStage
{
    public sealed record Result(OxfordPetLayout Layout, string DatasetDigest, bool Rebuilt);

    public static string DownloadsDir(PipelineConfig c) => Path.Combine(c.DataDir, "downloads", c.Dataset.Source);
    public static string DatasetRoot(PipelineConfig c) => Path.Combine(c.DataDir, c.Dataset.Source == "synthetic" ? "synthetic-pet" : "oxford-iiit-pet");
    public static string StampPath(PipelineConfig c) => Path.Combine(DatasetRoot(c), ".petseg-stage.json");

    public static async Task<Result> RunAsync(PipelineConfig config, IProgressSink ui, HttpClient? http = null, CancellationToken ct = default)
    {
        var downloads = DownloadsDir(config);
        Directory.CreateDirectory(downloads);
        // Archive digests are memoised on disk by (path, size, mtime): an unchanged 800 MB archive is hashed once.
        var digests = new DigestCache(Path.Combine(config.DataDir, ".digests.json"));
        string images, annotations;
        if (config.Dataset.Source == "synthetic")
            (images, annotations) = EnsureSyntheticArchives(config, downloads, ui, digests);
        else
        {
            var client = http ?? new HttpClient();
            try
            {
                images = await FetchAsync(client, config, config.Dataset.Images, downloads, ui, ct);
                annotations = await FetchAsync(client, config, config.Dataset.Annotations, downloads, ui, ct);
            }
            finally { if (http is null) client.Dispose(); }
        }

        var key = Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(
            $"{CodeVersion.Download}\n{digests.Of(images)}\n{digests.Of(annotations)}"));
        var root = DatasetRoot(config);
        if (StageStamp.TryRead(StampPath(config)) is { } stamp && stamp.Key == key && new OxfordPetLayout(root).Exists)
        {
            ui.Info($"download: up to date ({root}, key {key[..20]}…)");
            return new Result(new OxfordPetLayout(root), key, Rebuilt: false);
        }

        var tmp = root + ".partial";
        AtomicFile.TryDelete(tmp);
        foreach (var archive in new[] { images, annotations })
        {
            var r = SafeTarExtractor.Extract(archive, tmp, ct);
            ui.Info($"download: extracted {r.Files:N0} files from {Path.GetFileName(archive)} (skipped {r.SkippedJunk:N0} '._*' junk entries)");
        }
        new StageStamp("download", key, new SortedDictionary<string, string>
        {
            ["images.tar.gz"] = digests.Of(images),
            ["annotations.tar.gz"] = digests.Of(annotations),
        }).Write(Path.Combine(tmp, ".petseg-stage.json"));
        AtomicFile.Publish(tmp, root);
        ui.Info($"download: dataset ready in {root}");
        return new Result(new OxfordPetLayout(root), key, Rebuilt: true);
    }

    private static async Task<string> FetchAsync(HttpClient http, PipelineConfig config, RemoteFile file, string dir, IProgressSink ui, CancellationToken ct)
    {
        using var bar = ui.Bar($"download {file.FileName}", file.Checksum.Size ?? 0, ProgressUnit.Bytes);
        var progress = new SyncProgress<DownloadProgress>(p => bar.Update(p.Received));
        var result = await new HttpDownloader(http, config.Dataset.Download, progress).DownloadAsync(file, Path.Combine(dir, file.FileName), ct);
        ui.Info(result.Outcome == DownloadOutcome.AlreadyPresent
            ? $"download: {file.FileName} already present and verified"
            : $"download: {file.FileName} verified ({result.BytesTransferred:N0} bytes transferred{(result.ResumedFrom > 0 ? $", resumed from {result.ResumedFrom:N0}" : "")})");
        return result.Path;
    }

    private static (string Images, string Annotations) EnsureSyntheticArchives(PipelineConfig config, string dir, IProgressSink ui, DigestCache digests)
    {
        var o = config.Dataset.Synthetic;
        var key = Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(o)));
        var stampPath = Path.Combine(dir, ".synthetic.json");
        var images = Path.Combine(dir, "images.tar.gz");
        var annotations = Path.Combine(dir, "annotations.tar.gz");
        if (StageStamp.TryRead(stampPath) is { } s && s.Key == key && File.Exists(images) && File.Exists(annotations)
            && s.Outputs.GetValueOrDefault("images.tar.gz") == digests.Of(images)
            && s.Outputs.GetValueOrDefault("annotations.tar.gz") == digests.Of(annotations))
            return (images, annotations);

        ui.Info($"download: generating a synthetic dataset ({o.Count:N0} pairs, seed {o.Seed})");
        var layoutDir = Path.Combine(dir, ".layout.partial");
        AtomicFile.TryDelete(layoutDir);
        try
        {
            SyntheticPetGenerator.WriteLayout(layoutDir, o);
            SyntheticPetGenerator.WriteArchives(layoutDir, dir);
        }
        finally { AtomicFile.TryDelete(layoutDir); }
        new StageStamp("synthetic", key, new SortedDictionary<string, string>
        {
            ["images.tar.gz"] = digests.Of(images),
            ["annotations.tar.gz"] = digests.Of(annotations),
        }).Write(stampPath);
        return (images, annotations);
    }
}

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
