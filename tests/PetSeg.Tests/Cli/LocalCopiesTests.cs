using System.Security.Cryptography;
using PetSeg.Data.Download;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// Files already on the machine are not downloaded again: the dataset's archives from <c>dataset.local</c> (where
/// torchvision or a cluster keeps them), an encoder file from PyTorch's hub cache — each taken only when it matches
/// its pinned digest. The URLs point at a closed port, so anything not taken locally would fail the run.
/// </summary>
public sealed class LocalCopiesTests : IDisposable
{
    private const string Dead = "http://127.0.0.1:9/gone";
    private readonly TempDir _dir = new();

    private static string Md5(string path) => Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(path)));

    [Fact]
    [Trait("Category", "Slow")]
    public void The_archives_and_an_encoder_file_already_here_are_taken_when_they_verify()
    {
        var (exit, output) = CliProcess.Run("synth", _dir["pets"], "--count", "6");
        Assert.True(exit == 0, output);
        var archives = _dir["pets/archives"];
        var (images, annotations) = (Md5(Path.Combine(archives, "images.tar.gz")), Md5(Path.Combine(archives, "annotations.tar.gz")));

        // The dataset: a relative `local:` folder, the official layout of files; a wrong copy first is passed with why.
        Directory.CreateDirectory(_dir["ws/stale"]);
        File.WriteAllText(_dir["ws/stale/images.tar.gz"], "not the archive");
        File.WriteAllText(_dir["ws/pipeline.yaml"], $$"""
            artifacts: out
            dataset:
              source: oxford
              local: [stale, ../pets/archives]
              files:
                images: { urls: [{{Dead}}], md5: {{images}} }
                annotations: { urls: [{{Dead}}], md5: {{annotations}} }
              download: { max_attempts: 1 }
            """);
        (exit, output) = CliProcess.Run("run", "download", "--config", _dir["ws/pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.Contains($"download: images.tar.gz taken from {Path.Combine(archives, "images.tar.gz")} and verified (nothing downloaded)", output);
        Assert.True(output.Contains($"download: {_dir["ws/stale/images.tar.gz"]}: not taken, not the pinned file (MD5 is "), output);
        Assert.Equal(Directory.GetFiles(_dir["pets/oxford-iiit-pet/images"]).Select(Path.GetFileName).Order(), Directory.GetFiles(_dir["ws/out/data/oxford-iiit-pet/images"]).Select(Path.GetFileName).Order());

        // An encoder file in PyTorch's hub cache ($TORCH_HOME/hub/checkpoints), pinned by its SHA-256: any readable
        // safetensors passes the stage's check, so a one-tensor file stands in for MiT-b0's.
        var hub = Path.Combine(_dir["torch-home"], "hub", "checkpoints");
        Directory.CreateDirectory(hub);
        var header = System.Text.Encoding.UTF8.GetBytes("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        File.WriteAllBytes(Path.Combine(hub, "mit_b0.safetensors"), [.. BitConverter.GetBytes((long)header.Length), .. header, 0, 0, 128, 63]);
        Directory.CreateDirectory(_dir["w"]);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(hub, "mit_b0.safetensors"))));
        File.WriteAllText(_dir["w/pipeline.yaml"], $$"""
            artifacts: out
            dataset: { download: { max_attempts: 1 } }
            weights: { source: imagenet, files: { mit_b0: { urls: [{{Dead}}], sha256: {{sha}} } } }
            experiments:
              s: { model: segformer-mit_b0, epochs: 0 }
            """);
        (exit, output) = CliProcess.RunWith(new Dictionary<string, string> { ["TORCH_HOME"] = _dir["torch-home"] }, "run", "weights", "--config", _dir["w/pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.Contains($"weights: mit_b0.safetensors taken from {Path.Combine(hub, "mit_b0.safetensors")} and verified (nothing downloaded)", output);

        // Without it there, the closed port is the only source: the run fails and says where a copy could be named.
        File.Delete(Path.Combine(hub, "mit_b0.safetensors"));
        File.Delete(_dir["w/out/data/downloads/weights/imagenet/mit_b0.safetensors"]);
        (exit, output) = CliProcess.RunWith(new Dictionary<string, string> { ["TORCH_HOME"] = _dir["torch-home"] }, "run", "weights", "--force", "--exclusive", "--config", _dir["w/pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("name a folder already holding the file as local: in its section", output);
    }

    [Fact]
    public void Pytorchs_hub_cache_is_where_torch_hub_get_dir_says()
    {
        Func<string, string?> Env(params (string, string)[] vars) => n => vars.FirstOrDefault(v => v.Item1 == n).Item2;
        Assert.Equal("/t/hub/checkpoints", TorchHubCache.Checkpoints(Env(("TORCH_HOME", "/t"), ("XDG_CACHE_HOME", "/x"), ("HOME", "/h"))));
        Assert.Equal("/x/torch/hub/checkpoints", TorchHubCache.Checkpoints(Env(("XDG_CACHE_HOME", "/x"), ("HOME", "/h"))));
        Assert.Equal("/h/.cache/torch/hub/checkpoints", TorchHubCache.Checkpoints(Env(("HOME", "/h"))));
    }

    public void Dispose() => _dir.Dispose();
}
