using System.Text;
using PetSeg.Compute;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// A system whose libstdc++ predates GCC 13 (stock Debian 12, Ubuntu 22.04) cannot load TorchSharp's native library:
/// `petseg` says so in one message with what to do, instead of TorchSharp's trace and its fallback that copies the
/// whole libtorch package beside the program; commands that do not compute still work there.
/// </summary>
public sealed class NativeLibraryDiagnosisTests : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>
    /// This process's libstdc++ with its GLIBCXX_3.4.32 version definition renamed (same length, so nothing moves):
    /// to the loader it is a libstdc++ without that version, as GCC 12's is, and everything older still resolves.
    /// </summary>
    private string OldLibstdcxx()
    {
        var loaded = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .FirstOrDefault(p => p is not null && Path.GetFileName(p).StartsWith("libstdc++.so.6", StringComparison.Ordinal));
        Assert.True(loaded is not null, "no libstdc++ in this process's maps");
        var bytes = File.ReadAllBytes(loaded);
        byte[] from = Encoding.ASCII.GetBytes(TorchNativeLibrary.RequiredGlibcxx + "\0"), to = Encoding.ASCII.GetBytes("GLIBCXX_3.4.99\0");
        var span = bytes.AsSpan();
        int renamed = 0;
        for (int at = 0, i; (i = span[at..].IndexOf(from)) >= 0; at += i + from.Length, renamed++)
            to.CopyTo(span[(at + i)..]);
        Assert.True(renamed > 0, $"{loaded} has no {TorchNativeLibrary.RequiredGlibcxx}");
        var folder = _dir["old-libstdcxx"];
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "libstdc++.so.6"), bytes);
        return folder;
    }

    [Fact]
    public void An_old_libstdcxx_is_one_error_that_says_what_to_do_and_commands_that_do_not_compute_still_work()
    {
        var old = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = OldLibstdcxx() };
        var consolidated = Path.Combine(AppContext.BaseDirectory, "cpu"); // where TorchSharp's fallback copies the package
        var copiedBefore = Directory.Exists(consolidated);

        var (exit, log) = CliProcess.RunWith(old, "doctor");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: TorchSharp's native library could not be loaded", log.TrimStart());
        Assert.Contains($"version `{TorchNativeLibrary.RequiredGlibcxx}' not found", log); // the loader's own words
        Assert.Contains("bash build/bootstrap.sh", log);
        Assert.Contains("LD_LIBRARY_PATH", log);
        Assert.DoesNotContain("LoadNativeBackend", log); // no TorchSharp trace
        Assert.Single(log.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(copiedBefore, Directory.Exists(consolidated));

        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        (exit, log) = CliProcess.RunWith(old, "status", "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("STALE  train-tiny", log);
    }

    [Fact]
    public void A_libtorch_missing_a_symbol_is_explained_as_a_version_mismatch()
    {
        var message = TorchNativeLibrary.Explain("/opt/petseg/libLibTorchSharp.so",
            "Unable to load shared library '/opt/petseg/libLibTorchSharp.so' or one of its dependencies.\n/opt/petseg/libLibTorchSharp.so: undefined symbol: _ZN2at4_ops10empty_like4callERKNS_6TensorE");
        Assert.Contains("lacks a C++ symbol", message);
        Assert.Contains($"libtorch {LibTorchFolder.ExpectedVersion}", message);
        Assert.Contains(LibTorchFolder.Variable, message);
        Assert.EndsWith("undefined symbol: _ZN2at4_ops10empty_like4callERKNS_6TensorE", message);
    }

    public void Dispose() => _dir.Dispose();
}
