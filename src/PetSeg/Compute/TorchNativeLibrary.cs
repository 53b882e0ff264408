using System.Runtime.InteropServices;
using PetSeg.Core;

namespace PetSeg.Compute;

/// <summary>
/// TorchSharp's native shim (<c>libLibTorchSharp</c>) failing to load, turned into one diagnosis. TorchSharp reports
/// it as a hundred-line trace suggesting packages the project already references, whatever the cause; the cause is
/// almost always the system's: a libstdc++ older than the shim's GCC 13 (GLIBCXX_3.4.32 — stock Debian 12, Ubuntu
/// 22.04), or a libtorch whose C++ symbols differ. Loading the shim by its path again yields the loader's own reason.
/// </summary>
public static class TorchNativeLibrary
{
    /// <summary>The shim's libstdc++ symbol version (GCC 13).</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";

    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>
    /// Loads the shim (and, unless an installed libtorch was loaded, the package's libtorch_cpu it needs) the way
    /// TorchSharp's first step would, before TorchSharp does: where it fails, one <see cref="PetSegException"/> with the
    /// loader's reason, instead of TorchSharp's trace on stdout and its fallback, which copies the whole libtorch package
    /// (478 MB) beside the program before failing the same way. Costs nothing: TorchSharp then finds both loaded.
    /// </summary>
    public static void EnsureLoadable()
    {
        lock (Gate)
        {
            if (_loaded) return;
            if (ShimPath() is not { } shim) return; // not where TorchSharp looks first: its own probing decides
            if (LibTorchFolder.Loaded is null && PackageLibrary("libtorch_cpu") is { } cpu) NativeLibrary.TryLoad(cpu, out _);
            try { NativeLibrary.Load(shim); }
            catch (DllNotFoundException e) { throw new PetSegException(Explain(shim, e.Message)); }
            _loaded = true;
        }
    }

    /// <summary>True when <paramref name="e"/> is TorchSharp's native library failing to load (its type initializer or backend loader).</summary>
    public static bool IsLoadFailure(Exception e) =>
        e is TypeInitializationException { TypeName: "TorchSharp.torch" } ||
        (e is NotSupportedException && e.Message.Contains("LoadNativeBackend", StringComparison.Ordinal)) ||
        (e.InnerException is { } inner && IsLoadFailure(inner));

    /// <summary>What failed and what to do, from the loader's reason for the shim beside TorchSharp.dll (TorchSharp's <paramref name="failure"/> otherwise).</summary>
    public static string Diagnose(Exception failure)
    {
        var shim = ShimPath();
        if (shim is null)
            return "TorchSharp's native library (libLibTorchSharp) is not beside TorchSharp.dll: the build or tool install is incomplete; rebuild or reinstall it.";
        try { NativeLibrary.Free(NativeLibrary.Load(shim)); }
        catch (DllNotFoundException e) { return Explain(shim, e.Message); }
        var torchSharp = failure.InnerException?.Message ?? failure.Message;
        return $"TorchSharp could not start although its native library loads ({shim}): {torchSharp.Split('\n')[0].Trim()}";
    }

    /// <summary>The diagnosis for the loader's <paramref name="reason"/> (its dlerror text) for <paramref name="shim"/>.</summary>
    public static string Explain(string shim, string reason)
    {
        var head = $"TorchSharp's native library could not be loaded ({shim}): ";
        if (reason.Contains("GLIBCXX_", StringComparison.Ordinal) || reason.Contains("CXXABI_", StringComparison.Ordinal))
            return head + $"this system's libstdc++ is older than the GCC 13 one it needs ({RequiredGlibcxx}). " +
                "On Debian 12, install Debian 13's libstdc++6 (the repository's `bash build/bootstrap.sh` does, as root); elsewhere put a GCC 13+ libstdc++.so.6 " +
                "first on LD_LIBRARY_PATH (a conda environment's lib folder has one) or upgrade the system's. `strings <libstdc++.so.6> | grep GLIBCXX_3.4.3` lists what one provides. " +
                $"The loader said: {LastLine(reason)}";
        if (reason.Contains("undefined symbol", StringComparison.Ordinal))
            return head + $"the libtorch in this process lacks a C++ symbol the shim was built against (TorchSharp 0.107 needs libtorch {LibTorchFolder.ExpectedVersion}; " +
                $"an installed PyTorch of another version through {LibTorchFolder.Variable} or compute.libtorch can differ): use libtorch {LibTorchFolder.ExpectedVersion}.x or build TorchSharp's native shim against this one. " +
                $"The loader said: {LastLine(reason)}";
        if (reason.Contains("libtorch", StringComparison.Ordinal) && reason.Contains("cannot open shared object file", StringComparison.Ordinal))
            return head + $"no libtorch was found for it: this build carries none (built with TorchDevice=none?). Point {LibTorchFolder.Variable} or compute.libtorch " +
                "at an installed PyTorch's torch/lib folder, or build with the libtorch package (the default, -p:TorchDevice=cpu or cuda). " +
                $"The loader said: {LastLine(reason)}";
        return head + $"{LastLine(reason)} (`ldd {shim}` lists what it needs and what is missing).";
    }

    /// <summary>The shim where TorchSharp looks first.</summary>
    private static string? ShimPath() => PackageLibrary("libLibTorchSharp");

    /// <summary>
    /// A native library of the packages this build carries, where TorchSharp looks first: in runtimes/&lt;os&gt;-&lt;arch&gt;/native
    /// beside TorchSharp.dll, or beside it (null: not there, e.g. libtorch in a TorchDevice=none build).
    /// </summary>
    internal static string? PackageLibrary(string name)
    {
        var dir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) return null;
        var (os, file) = OperatingSystem.IsWindows() ? ("win", name[3..] + ".dll") : OperatingSystem.IsMacOS() ? ("osx", name + ".dylib") : ("linux", name + ".so");
        var rid = $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        return new[] { Path.Combine(dir, "runtimes", rid, "native", file), Path.Combine(dir, file) }.FirstOrDefault(File.Exists);
    }

    /// <summary>.NET prefixes the loader's text with its own sentence; the loader's is the last line.</summary>
    private static string LastLine(string reason) =>
        reason.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? reason;
}
