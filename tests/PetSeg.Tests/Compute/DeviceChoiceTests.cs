using PetSeg.Compute;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Compute;

/// <summary>
/// <c>compute.device</c> and <c>compute.libtorch</c> where there is no GPU (CI): <c>auto</c> says it takes the CPU,
/// <c>cuda</c> is one clear error naming what is missing and both ways to get it, and an installed libtorch folder is
/// checked (missing libraries, another version) before anything loads it.
/// </summary>
public sealed class DeviceChoiceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Auto_takes_the_first_gpu_or_the_cpu_and_says_so_in_one_line()
    {
        var notes = new List<string>();
        DeviceChoice.ForgetAutoNote();
        var device = DeviceChoice.Resolve("auto", notes.Add);
        DeviceChoice.Resolve("auto", notes.Add); // a second stage: no second line
        bool gpu = cuda.is_available(); // CI: never
        Assert.Equal(gpu ? TorchSharp.DeviceType.CUDA : TorchSharp.DeviceType.CPU, device.type);
        Assert.StartsWith(gpu ? "device: auto → cuda:0" : "device: auto → cpu", Assert.Single(notes));
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceChoice.Resolve("cpu").type);
    }

    [SkippableTheory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    public void Cuda_without_a_cuda_libtorch_names_what_is_missing_and_how_to_get_it(string setting)
    {
        Skip.If(cuda.is_available(), "this machine has a CUDA libtorch");
        var e = Assert.Throws<DeviceException>(() => DeviceChoice.Resolve(setting));
        Assert.StartsWith($"device {setting}: no usable CUDA libtorch", e.Message);
        Assert.Contains("TorchSharp-cpu", e.Message);
        Assert.Contains("dotnet build -p:TorchDevice=cuda", e.Message);
        Assert.Contains(LibTorchFolder.Variable, e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void A_device_that_is_not_one_is_refused(string setting)
    {
        Assert.False(DeviceChoice.IsValid(setting));
        Assert.Contains("expected one of auto, cpu, cuda, cuda:N", Assert.Throws<DeviceException>(() => DeviceChoice.Resolve(setting)).Message);
    }

    private string FakeLibTorch(string? versionPy = null, params string[] libraries)
    {
        var lib = Directory.CreateDirectory(_dir["torch/lib"]).FullName;
        foreach (var name in libraries) File.WriteAllText(Path.Combine(lib, name), "");
        if (versionPy is not null) File.WriteAllText(_dir["torch/version.py"], $"__version__ = '{versionPy}'\ngit_version = 'x'\n");
        return lib;
    }

    [Fact]
    public void A_libtorch_folder_is_checked_for_its_libraries_and_its_version()
    {
        Assert.Contains("does not exist", Assert.Throws<DeviceException>(() => LibTorchFolder.Inspect(_dir["nowhere"])).Message);

        var partial = FakeLibTorch("2.10.0+cu128", "libc10.so");
        var missing = Assert.Throws<DeviceException>(() => LibTorchFolder.Inspect(partial)).Message;
        Assert.Contains("lacks libtorch_cpu.so, libtorch.so", missing);

        var other = FakeLibTorch("2.11.0+cu130", "libc10.so", "libtorch_cpu.so", "libtorch.so", "libc10_cuda.so", "libtorch_cuda.so");
        var inspection = LibTorchFolder.Inspect(other);
        Assert.Equal("2.11.0+cu130", inspection.Version);
        Assert.True(inspection.HasCuda);
        Assert.Contains("is version 2.11.0+cu130, but TorchSharp 0.107 is built for 2.10", Assert.Single(inspection.Warnings));

        File.WriteAllText(_dir["torch/version.py"], "__version__ = '2.10.0+cu128'\n");
        Assert.Empty(LibTorchFolder.Inspect(other).Warnings);
    }

    [Fact]
    public void The_packages_own_libtorch_folder_passes_with_its_version_unknown()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        var inspection = LibTorchFolder.Inspect(native);
        Assert.False(inspection.HasCuda);
        Assert.Contains("version is unknown", Assert.Single(inspection.Warnings));
    }
}
