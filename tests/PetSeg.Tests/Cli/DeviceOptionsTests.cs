using System.Text.Json;
using PetSeg.Compute;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// The device as a user sets it, without a GPU: <c>--device cuda</c> is one clear error (exit 1, no stack trace,
/// nothing published), a device that is not one is a configuration error with its line, and
/// <c>PETSEG_LIBTORCH</c> loads an installed libtorch (here the package's own folder, by path) or says what is wrong
/// (another libtorch beside the package's this build carries is refused). Everything computes in petseg processes.
/// </summary>
public sealed class DeviceOptionsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Cuda_on_a_machine_without_it_is_one_clear_error_and_publishes_nothing()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = CliProcess.Run("run", "train-tiny", "--device", "cuda", "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 1, log);
        Assert.Contains("error: device cuda: no usable CUDA libtorch", log);
        Assert.DoesNotContain("   at ", log);
        Assert.DoesNotContain("train-tiny: done", log);
        (exit, log) = CliProcess.Run("status", "--json", "--config", _dir["pipeline.yaml"]);
        var train = JsonDocument.Parse(log[log.IndexOf('[')..]).RootElement.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "train-tiny");
        Assert.False(train.GetProperty("fresh").GetBoolean());

        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, device: gpu }"));
        (exit, log) = CliProcess.Run("status", "--config", _dir["pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Matches(@"pipeline\.yaml:\d+:\d+: .*'gpu' is not a device; expected one of auto, cpu, cuda, cuda:N", log);
    }

    [Fact]
    public void An_installed_libtorch_folder_is_loaded_before_torchsharps_own_or_refused_with_the_reason()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { [LibTorchFolder.Variable] = native }, "doctor", "--json");
        Assert.True(exit == 0, log);
        Assert.Contains("version is unknown", log); // the package's folder has no version file: said, and loaded
        Assert.Contains("\"passed\": true", log);
        Assert.Contains($"\"libtorch_folder\": \"{native}\"", log);

        Assert.DoesNotContain("c10::Error", log);

        // Another folder, while this build carries the libtorch package: TorchSharp would load that one too (two
        // libtorches, c10 errors, a crash): refused before anything loads, naming the build that takes it.
        var other = _dir["other-libtorch/lib"];
        Directory.CreateDirectory(other);
        foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }) File.WriteAllBytes(Path.Combine(other, lib), []);
        (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { [LibTorchFolder.Variable] = other }, "doctor");
        Assert.Equal(1, exit);
        Assert.Contains($"this petseg carries its own libtorch ({native})", log);
        Assert.Contains("-p:TorchDevice=none", log);
        Assert.DoesNotContain("c10::Error", log);

        (exit, log) = CliProcess.RunWith(new Dictionary<string, string> { [LibTorchFolder.Variable] = _dir["no-such-folder"] }, "doctor");
        Assert.Equal(1, exit);
        Assert.Contains($"error: {LibTorchFolder.Variable}: libtorch folder", log);
        Assert.Contains("does not exist", log);
    }
}
