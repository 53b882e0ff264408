using System.Security.Cryptography;
using PetSeg.Data.Cache;
using PetSeg.Data.Synthetic;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Progress;
using PetSeg.Pipeline.Stages;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Pipeline;

/// <summary>The Download and Preprocess stages end to end: generated archives served over loopback HTTP.</summary>
public sealed class DataStagesTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly LoopbackHttpServer _server = new();

    private sealed class Lines : IProgressSink
    {
        public readonly List<string> All = [];
        public void Info(string line) { lock (All) All.Add(line); }
        public IProgressBar Bar(string d, double t, ProgressUnit u) => NullProgressSink.Instance.Bar(d, t, u);
    }

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
    public async Task Download_then_preprocess_over_loopback_and_rerun_is_a_cache_hit()
    {
        var layout = SyntheticPetGenerator.WriteLayout(_dir["src/oxford-iiit-pet"], new SyntheticPetOptions { Count = 10, MinWidth = 60, MaxWidth = 80, MinHeight = 50, MaxHeight = 70 });
        var (images, annotations) = SyntheticPetGenerator.WriteArchives(layout.Root, _dir["archives"]);
        var imageBytes = File.ReadAllBytes(images);
        var annBytes = File.ReadAllBytes(annotations);
        _server.Serve("pets/images.tar.gz", imageBytes);
        _server.Serve("pets/annotations.tar.gz", annBytes);
        var config = PipelineConfigLoader.Load(WriteConfig(Convert.ToHexStringLower(MD5.HashData(imageBytes)), Convert.ToHexStringLower(MD5.HashData(annBytes))));

        var ui = new Lines();
        using var http = new HttpClient();
        var data = await DownloadStage.RunAsync(config, ui, http);
        Assert.True(data.Rebuilt);
        Assert.True(File.Exists(Path.Combine(data.Layout.Root, "annotations", "trainval.txt")));
        Assert.False(File.Exists(Path.Combine(data.Layout.Root, "annotations", "._trimaps")));
        Assert.Equal(imageBytes.Length + annBytes.Length, _server.BodyBytesSent);
        var pre = PreprocessStage.Run(config, data, ui);
        Assert.True(pre.Rebuilt);
        using (var cache = TensorCache.Open(pre.CacheFiles["trainval"])) Assert.Equal((5, 32, 32), (cache.Count, cache.Height, cache.Width));

        var again = await DownloadStage.RunAsync(config, ui, http);
        Assert.False(again.Rebuilt);
        Assert.Equal(data.DatasetDigest, again.DatasetDigest);
        Assert.Equal(imageBytes.Length + annBytes.Length, _server.BodyBytesSent); // nothing fetched twice
        var preAgain = PreprocessStage.Run(config, again, ui);
        Assert.False(preAgain.Rebuilt);
        Assert.Equal(pre.Digests, preAgain.Digests);
        Assert.Contains(ui.All, l => l.StartsWith("preprocess: up to date"));

        // A damaged cache is noticed and rebuilt, not trusted.
        var bytes = File.ReadAllBytes(pre.CacheFiles["test"]);
        File.WriteAllBytes(pre.CacheFiles["test"], bytes[..^5]);
        Assert.True(PreprocessStage.Run(config, again, ui).Rebuilt);
    }

    [Fact]
    public async Task A_bad_checksum_fails_the_stage_and_publishes_nothing()
    {
        _server.Serve("pets/images.tar.gz", [1, 2, 3]);
        _server.Serve("pets/annotations.tar.gz", [4, 5, 6]);
        var config = PipelineConfigLoader.Load(WriteConfig(new string('a', 32), new string('b', 32)));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<PetSeg.Data.Download.DownloadException>(() => DownloadStage.RunAsync(config, new Lines(), http));
        Assert.Contains("images.tar.gz", e.Message);
        Assert.False(Directory.Exists(DownloadStage.DatasetRoot(config)));
        Assert.Empty(Directory.GetFiles(DownloadStage.DownloadsDir(config)));
    }

    public void Dispose() { _server.Dispose(); _dir.Dispose(); }
}
