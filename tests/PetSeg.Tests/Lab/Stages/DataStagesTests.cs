using PetSeg.Lab;
using System.Security.Cryptography;
using PetSeg.Data.Cache;
using PetSeg.Data.Synthetic;
using PetSeg.Workflow.Runner;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab.Stages;

/// <summary>The Download and Preprocess stages end to end: generated archives served over loopback HTTP.</summary>
public sealed class DataStagesTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LoopbackHttpServer _server = new();

    private string WriteConfig(string imagesMd5, string annotationsMd5) 
    {
        var path = _dir["pipeline.yaml"];
        File.WriteAllText(path, $"""
            artifacts: out
            dataset:
              files:
                images: {"{"} urls: [{_server.Url("pets/images.tar.gz")}], md5: {imagesMd5} {"}"}
                annotations: {"{"} urls: [{_server.Url("pets/annotations.tar.gz")}], md5: {annotationsMd5} {"}"}
              download: {"{"} initial_backoff_seconds: 0.01 {"}"}
            preprocess: {"{"} image_size: 32 {"}"}
            """);
        return path;
    }

    [Fact]
    public void Download_then_preprocess_over_loopback_and_rerun_is_a_cache_hit()
    {
        var layout = SyntheticPetGenerator.WriteLayout(_dir["src/oxford-iiit-pet"], new SyntheticPetOptions { Count = 10, MinWidth = 60, MaxWidth = 80, MinHeight = 50, MaxHeight = 70 });
        var (images, annotations) = SyntheticPetGenerator.WriteArchives(layout.Root, _dir["archives"]);
        var imageBytes = File.ReadAllBytes(images);
        var annBytes = File.ReadAllBytes(annotations);
        _server.Serve("pets/images.tar.gz", imageBytes);
        _server.Serve("pets/annotations.tar.gz", annBytes);
        var config = PipelineConfigLoader.Load(WriteConfig(Convert.ToHexStringLower(MD5.HashData(imageBytes)), Convert.ToHexStringLower(MD5.HashData(annBytes))));

        var ui = new ProgressLines();
        using var http = new HttpClient();
        var runner = LabPipeline.Runner(config, ui, http);
        var runs = runner.Run(StageIds.Preprocess);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        var root = DownloadStage.DatasetRoot(config);
        Assert.True(File.Exists(Path.Combine(root, "annotations", "trainval.txt")));
        Assert.False(File.Exists(Path.Combine(root, "annotations", "._trimaps")));
        Assert.Equal(imageBytes.Length + annBytes.Length, _server.BodyBytesSent);
        var testCache = PreprocessStage.CachePath(config, "test");
        using (var cache = TensorCache.Open(PreprocessStage.CachePath(config, "trainval"))) Assert.Equal((5, 32, 32), (cache.Count, cache.Height, cache.Width));

        var again = LabPipeline.Runner(config, ui, http).Run(StageIds.Preprocess);
        Assert.All(again, r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
        Assert.Equal(runs.Select(r => r.Key), again.Select(r => r.Key));
        Assert.Equal(imageBytes.Length + annBytes.Length, _server.BodyBytesSent); // nothing fetched twice
        Assert.Contains(ui.All, l => l.StartsWith("preprocess: up to date"));

        // A damaged cache is noticed and rebuilt, not trusted.
        var bytes = File.ReadAllBytes(testCache);
        File.WriteAllBytes(testCache, bytes[..^5]);
        var rebuilt = LabPipeline.Runner(config, ui, http).Run(StageIds.Preprocess);
        Assert.Equal(StageOutcome.Executed, rebuilt.Single(r => r.Stage == StageIds.Preprocess).Outcome);
        Assert.Equal(bytes, File.ReadAllBytes(testCache));

        // So is a changed file of the extracted dataset: the download stage's output is every file's digest.
        var jpeg = Directory.EnumerateFiles(Path.Combine(root, "images"), "*.jpg").Order(StringComparer.Ordinal).First();
        var original = File.ReadAllBytes(jpeg);
        var flipped = (byte[])original.Clone();
        flipped[^3] ^= 0x40;
        var mtime = File.GetLastWriteTimeUtc(jpeg);
        File.WriteAllBytes(jpeg, flipped);
        File.SetLastWriteTimeUtc(jpeg, mtime.AddSeconds(1));
        var status = LabPipeline.Runner(config, ui, http).Status();
        Assert.Equal(Freshness.Stale, status.Single(x => x.Stage == StageIds.Download).State);
        LabPipeline.Runner(config, ui, http).Run(StageIds.Preprocess);
        Assert.Equal(original, File.ReadAllBytes(jpeg));
        Assert.Equal(imageBytes.Length + annBytes.Length, _server.BodyBytesSent); // the verified archives were reused
    }

    [Fact]
    public void Undecodable_images_of_both_splits_are_listed_in_one_message()
    {
        var layout = SyntheticPetGenerator.WriteLayout(_dir["src/oxford-iiit-pet"], new SyntheticPetOptions { Count = 10, MinWidth = 60, MaxWidth = 80, MinHeight = 50, MaxHeight = 70 });
        string FirstOf(string split) => File.ReadLines(Path.Combine(layout.Root, "annotations", split + ".txt")).First(l => !l.StartsWith('#')).Split(' ')[0];
        var (trainval, test) = (FirstOf("trainval"), FirstOf("test"));
        File.WriteAllText(Path.Combine(layout.Root, "images", trainval + ".jpg"), "not an image");
        File.WriteAllBytes(Path.Combine(layout.Root, "images", test + ".jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        var (images, annotations) = SyntheticPetGenerator.WriteArchives(layout.Root, _dir["archives"]);
        var (imageBytes, annBytes) = (File.ReadAllBytes(images), File.ReadAllBytes(annotations));
        _server.Serve("pets/images.tar.gz", imageBytes);
        _server.Serve("pets/annotations.tar.gz", annBytes);
        var config = PipelineConfigLoader.Load(WriteConfig(Convert.ToHexStringLower(MD5.HashData(imageBytes)), Convert.ToHexStringLower(MD5.HashData(annBytes))));
        using var http = new HttpClient();

        var e = Assert.Throws<PetSeg.Data.Dataset.DatasetException>(() => LabPipeline.Runner(config, new ProgressLines(), http).Run(StageIds.Preprocess));
        Assert.Contains(trainval + ".jpg", e.Message);
        Assert.Contains(test + ".jpg", e.Message);
        Assert.False(File.Exists(PreprocessStage.CachePath(config, "trainval")));

        // A missing split list names the setting that exists and the command that fixes it.
        File.Delete(Path.Combine(DownloadStage.DatasetRoot(config), "annotations", "test.txt"));
        var missing = Assert.Throws<PetSeg.Data.Dataset.DatasetException>(() => PetSeg.Data.Dataset.OxfordPetDataset.Open(DownloadStage.DatasetRoot(config), "test"));
        Assert.Contains("dataset.files.annotations", missing.Message);
        Assert.DoesNotContain("dataset.root", missing.Message);
    }

    [Fact]
    public async Task A_bad_checksum_fails_the_stage_and_publishes_nothing()
    {
        _server.Serve("pets/images.tar.gz", [1, 2, 3]);
        _server.Serve("pets/annotations.tar.gz", [4, 5, 6]);
        var config = PipelineConfigLoader.Load(WriteConfig(new string('a', 32), new string('b', 32)));
        using var http = new HttpClient();
        var e = await Task.Run(() => Assert.Throws<PetSeg.Data.Download.DownloadException>(() => LabPipeline.Runner(config, new ProgressLines(), http).Run(StageIds.Download)));
        Assert.Contains("images.tar.gz", e.Message);
        Assert.False(Directory.Exists(DownloadStage.DatasetRoot(config)));
        Assert.Empty(Directory.GetFiles(DownloadStage.DownloadsDir(config)));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("/etc/evil.txt")]
    [InlineData("symlink")]
    public void A_refused_archive_leaves_no_partial_dataset_behind(string member)
    {
        // Found by a crash harness: the refusal was right, but oxford-iiit-pet.partial stayed in artifacts/data.
        var path = _dir["archives/images.tar.gz"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var fs = File.Create(path))
        using (var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest))
        using (var tar = new System.Formats.Tar.TarWriter(gz, System.Formats.Tar.TarEntryFormat.Pax))
        {
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "images/a.jpg") { DataStream = new MemoryStream([1, 2, 3]) });
            tar.WriteEntry(member == "symlink"
                ? new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.SymbolicLink, "images/b.jpg") { LinkName = "/etc/passwd" }
                : new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, member) { DataStream = new MemoryStream([1]) });
        }
        var bytes = File.ReadAllBytes(path);
        _server.Serve("pets/images.tar.gz", bytes);
        _server.Serve("pets/annotations.tar.gz", bytes);
        var md5 = Convert.ToHexStringLower(MD5.HashData(bytes));
        var config = PipelineConfigLoader.Load(WriteConfig(md5, md5));
        using var http = new HttpClient();

        Assert.Throws<PetSeg.Data.Archives.UnsafeArchiveException>(() => LabPipeline.Runner(config, new ProgressLines(), http).Run(StageIds.Download));
        var root = DownloadStage.DatasetRoot(config);
        Assert.False(Directory.Exists(root));
        Assert.False(Directory.Exists(root + ".partial"));
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetDirectoryName(root)!), d => !d.EndsWith("downloads", StringComparison.Ordinal));
    }

    public void Dispose() { _server.Dispose(); _dir.Dispose(); }
}
