using PetSeg.Core;
using PetSeg.Data.Archives;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.Data.Download;
using PetSeg.Data.Synthetic;
using PetSeg.IO;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// The dataset: fetches (or, for the synthetic source, generates) <c>images.tar.gz</c> and <c>annotations.tar.gz</c>
/// and extracts them safely into <c>artifacts/data/&lt;oxford-iiit-pet|synthetic-pet&gt;/</c>, or imports a folder of
/// one's own images and masks into that layout (<c>artifacts/data/folder-dataset/</c>), built aside and published
/// by rename. Its output is that folder, identified by the digest of every file in it, so a changed or missing file
/// makes the stage stale; a folder source's files are inputs of the key by their content.
/// </summary>
public sealed class DownloadStage(PipelineConfig config) : Stage
{
    /// <summary>The one output: the dataset's folder in Oxford-IIIT Pet's layout (what preprocess reads, and evaluate's native_metrics).</summary>
    public const string DatasetOutput = "dataset";

    public override string Id => StageIds.Download;
    public override bool WritesInPlace => true; // under artifacts/data
    public override string Kind => StageIds.Download;
    public override string CodeVersion => StageVersions.Download;
    public override IReadOnlyList<string> DependsOn => [];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var d = config.Dataset;
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["source"] = d.Source };
            if (d.Source == "synthetic") p["synthetic"] = System.Text.Json.JsonSerializer.Serialize(d.Synthetic);
            else if (d.Folder is { } folder) // what the masks mean and how the split is chosen; the folders' content is in ExternalInputs
                p["folder"] = System.Text.Json.JsonSerializer.Serialize(new
                {
                    // Classes of one's own replace the background (and are named: their names are written with the data).
                    background = folder.Classes is null ? folder.Background.Select(v => (int)v) : null,
                    classes = folder.Classes?.Select(k => new { name = k.Name, values = k.Values.Select(v => (int)v) }),
                    colours = folder.Colours?.Select(c => $"#{c:x6}"), // colour-coded masks: the values above are these colours' codes
                    ignore = folder.Ignore.Select(v => (int)v),
                    test = folder.TestImagesDir is not null ? "test_folders" : folder.TestList is not null ? "test_list"
                        : CanonicalParams.Of(folder.TestFraction) + (folder.SplitByGroup ? " by group" : ""),
                    mask_suffix = folder.MaskSuffix,
                    images_without_masks = folder.SkipImagesWithoutMasks ? "skip" : null,
                    skip_bad_samples = config.Preprocess.SkipBadSamples, // a bad pair is left out here, as preprocess leaves out a bad image
                }, WithoutNulls);
            else foreach (var f in new[] { d.Images, d.Annotations })
                    p[f.FileName] = f.Checksum.Pin;
            return p;
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A folder source's images, masks and test list, by their keys in pipeline.yaml.</summary>
    public override IReadOnlyDictionary<string, string> ExternalInputs =>
        config.Dataset.Folder?.Sources().ToDictionary(s => "dataset.folder." + s.Key, s => s.Value, StringComparer.Ordinal) ?? base.ExternalInputs;

    /// <param name="dataDir">The data folder it is under: the workspace's (<see cref="PipelineConfig.DataDir"/>) when null.</param>
    public static string DownloadsDir(PipelineConfig c, string? dataDir = null) => Path.Combine(dataDir ?? c.DataDir, "downloads", c.Dataset.Source);
    /// <param name="dataDir">The data folder it is under: the workspace's (<see cref="PipelineConfig.DataDir"/>) when null.</param>
    public static string DatasetRoot(PipelineConfig c, string? dataDir = null) => Path.Combine(dataDir ?? c.DataDir, c.Dataset.Source switch { "synthetic" => "synthetic-pet", "folder" => "folder-dataset", _ => "oxford-iiit-pet" });

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        if (config.Dataset.Folder is { } folder) return Import(folder, c);
        var downloads = DownloadsDir(config, c.InPlaceDir);
        Directory.CreateDirectory(downloads);
        var (images, annotations) = config.Dataset.Source == "synthetic"
            ? GenerateSyntheticArchives(downloads, c.Ui)
            : FetchArchives(downloads, c);

        var root = DatasetRoot(config, c.InPlaceDir);
        var tmp = root + ".partial";
        AtomicFile.TryDelete(tmp);
        try
        {
            foreach (var archive in new[] { images, annotations })
            {
                var r = SafeTarExtractor.Extract(archive, tmp, c.Cancellation);
                c.Ui.Info($"download: extracted {r.Files:N0} files from {Path.GetFileName(archive)} (skipped {r.SkippedJunk:N0} '._*' junk entries)");
            }
            AtomicFile.Publish(tmp, root);
        }
        catch
        {
            AtomicFile.TryDelete(tmp); // a refused or broken archive leaves nothing that looks like a dataset
            throw;
        }
        c.Ui.Info($"download: dataset ready in {root}");
        return new Dictionary<string, StageOutput> { [DatasetOutput] = c.Output(root) };
    }

    /// <summary>A folder source: its pairs checked and written in Oxford-IIIT Pet's layout, aside, then published by rename.</summary>
    private Dictionary<string, StageOutput> Import(FolderDatasetOptions folder, StageContext c)
    {
        var root = DatasetRoot(config, c.InPlaceDir);
        var tmp = root + ".partial";
        AtomicFile.TryDelete(tmp);
        try
        {
            var skipped = config.Preprocess.SkipBadSamples ? new List<string>() : null;
            var withoutMasks = new List<string>();
            var pairs = FolderDatasetImporter.Pairs(folder, skipped, withoutMasks);
            if (withoutMasks.Count > 0)
                c.Ui.Info($"download: passed over {withoutMasks.Count:N0} image(s) without a mask (images_without_masks: skip), such as {withoutMasks[0]}");
            c.Ui.Info($"download: importing {pairs.Count:N0} image(s) with masks from {folder.ImagesDir} and {folder.MasksDir}" +
                      (folder.TestImagesDir is null ? "" : $", {folder.TestImagesDir} and {folder.TestMasksDir}"));
            FolderImportResult r;
            using (var bar = c.Ui.Bar("import", pairs.Count, ProgressUnit.Items))
                r = FolderDatasetImporter.Import(folder, pairs, tmp, skipped, new SyncProgress<int>(done => bar.Update(done)), c.Cancellation);
            foreach (var s in r.Skipped) c.Ui.Info($"download: skipped {s}");
            AtomicFile.Publish(tmp, root);
            var split = folder.TestImagesDir is not null ? $"the test split from {folder.TestImagesDir}"
                : folder.TestList is not null ? $"as {Path.GetFileName(folder.TestList)} lists"
                : $"{CanonicalParams.Of(folder.TestFraction)} of them held out by {(folder.SplitByGroup ? "group" : "name")}";
            c.Ui.Info($"download: {r.TrainVal:N0} trainval and {r.Test:N0} test pair(s) ({split}); mask values: {r.DescribeValues(folder.Mapping(), folder.Colours)}");
        }
        catch
        {
            AtomicFile.TryDelete(tmp); // a refused folder leaves nothing that looks like a dataset
            throw;
        }
        c.Ui.Info($"download: dataset ready in {root}");
        return new Dictionary<string, StageOutput> { [DatasetOutput] = c.Output(root) };
    }

    private (string Images, string Annotations) FetchArchives(string dir, StageContext c)
    {
        var http = c.Http ?? new HttpClient();
        try
        {
            return (Fetch(http, config.Dataset.Download, config.Dataset.Images, Path.Combine(dir, config.Dataset.Images.FileName), c),
                    Fetch(http, config.Dataset.Download, config.Dataset.Annotations, Path.Combine(dir, config.Dataset.Annotations.FileName), c));
        }
        finally { if (c.Http is null) http.Dispose(); }
    }

    /// <summary>Downloads one file with its mirrors, retries and checksums, showing a bar (the weights stage uses it too).</summary>
    internal static string Fetch(HttpClient http, DownloadOptions options, RemoteFile file, string destination, StageContext c)
    {
        using var bar = c.Ui.Bar($"download {file.FileName}", file.Checksum.Size ?? 0, ProgressUnit.Bytes);
        var progress = new SyncProgress<DownloadProgress>(p => bar.Update(p.Received));
        var result = new HttpDownloader(http, options, progress).DownloadAsync(file, destination, c.Cancellation).GetAwaiter().GetResult();
        foreach (var passed in result.Passed) c.Ui.Info($"{c.StageId}: {passed}");
        c.Ui.Info(result.Outcome switch
        {
            DownloadOutcome.AlreadyPresent => $"{c.StageId}: {file.FileName} already present and verified",
            DownloadOutcome.CopiedLocally => $"{c.StageId}: {file.FileName} taken from {result.CopiedFrom} and verified (nothing downloaded)",
            _ => $"{c.StageId}: {file.FileName} verified ({result.BytesTransferred:N0} bytes transferred{(result.ResumedFrom > 0 ? $", resumed from {result.ResumedFrom:N0}" : "")})",
        });
        return result.Path;
    }

    private (string Images, string Annotations) GenerateSyntheticArchives(string dir, IProgressSink ui)
    {
        var o = config.Dataset.Synthetic;
        ui.Info($"download: generating a synthetic dataset ({o.Count:N0} pairs, seed {o.Seed})");
        var layoutDir = Path.Combine(dir, ".layout.partial");
        AtomicFile.TryDelete(layoutDir);
        try
        {
            SyntheticPetGenerator.WriteLayout(layoutDir, o);
            return SyntheticPetGenerator.WriteArchives(layoutDir, dir);
        }
        finally { AtomicFile.TryDelete(layoutDir); }
    }
}
