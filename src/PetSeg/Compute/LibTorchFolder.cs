using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PetSeg.Compute;

/// <summary>
/// An installed libtorch used instead of the NuGet package's (<c>compute: { libtorch: … }</c> or <c>PETSEG_LIBTORCH</c>):
/// the <c>torch/lib</c> folder of a PyTorch install (what HPC clusters provide through modules) or a libtorch
/// distribution's <c>lib</c>. Its libraries are loaded before TorchSharp's own probing, which then finds them by name.
/// TorchSharp 0.107's native shim is built against libtorch 2.10: another version is loaded with a warning, since
/// a changed C++ symbol fails at load with its name.
/// </summary>
public static class LibTorchFolder
{
    public const string Variable = "PETSEG_LIBTORCH";

    /// <summary>The libtorch version TorchSharp 0.107 is built against.</summary>
    public const string ExpectedVersion = "2.10";

    private static readonly string[] Required = ["libc10", "libtorch_cpu", "libtorch"];
    private static readonly string[] Cuda = ["libc10_cuda", "libtorch_cuda"];

    /// <summary>The folder loaded in this process, or null (the NuGet package's libtorch).</summary>
    public static string? Loaded { get; private set; }

    /// <summary>The loaded folder's version (e.g. 2.11.0+cu130), or null (the package's, or a folder that does not say).</summary>
    public static string? LoadedVersion { get; private set; }

    /// <summary>The libtorch this process computes with, e.g. "2.10.0 (package)" or "2.11.0+cu130 (/opt/torch/lib)": TorchSharp's own version string is a constant of its managed assembly, not the loaded library's.</summary>
    public static string Describe() => Loaded is null ? PackageDescription : $"{LoadedVersion ?? "unknown version"} ({Loaded})";

    /// <summary>The libtorch of TorchSharp 0.107's native package (libtorch-cpu / libtorch-cuda 2.10.0).</summary>
    public const string PackageVersion = "2.10.0";

    /// <summary>What <see cref="Describe"/> says of the package's libtorch (and what results recorded before the libtorch was were computed with).</summary>
    public const string PackageDescription = PackageVersion + " (package)";

    /// <summary>What the folder holds: its version (from PyTorch's <c>version.py</c> or libtorch's <c>build-version</c>), whether it has CUDA.</summary>
    public sealed record Inspection(string Folder, string? Version, bool HasCuda, IReadOnlyList<string> Warnings);

    /// <summary>Checks <paramref name="folder"/> without loading anything; throws <see cref="DeviceException"/> naming what is missing.</summary>
    public static Inspection Inspect(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
            throw new DeviceException($"libtorch folder {full} does not exist. Point {Variable} or compute.libtorch at the torch/lib folder of a PyTorch install " +
                "(python3 -c \"import torch,os;print(os.path.dirname(torch.__file__)+'/lib')\") or at a libtorch distribution's lib folder.");
        var missing = Required.Where(n => !File.Exists(Path.Combine(full, LibraryFile(n)))).Select(LibraryFile).ToList();
        if (missing.Count > 0)
            throw new DeviceException($"libtorch folder {full} lacks {string.Join(", ", missing)}: it is not a libtorch lib folder " +
                "(a PyTorch install has them in site-packages/torch/lib).");
        var version = ReadVersion(full);
        var warnings = new List<string>();
        if (version is null)
            warnings.Add($"libtorch folder {full}: no version.py or build-version beside it, so its version is unknown; TorchSharp 0.107 needs libtorch {ExpectedVersion}.");
        else if (!version.StartsWith(ExpectedVersion + ".", StringComparison.Ordinal) && version != ExpectedVersion)
            warnings.Add($"libtorch folder {full} is version {version}, but TorchSharp 0.107 is built for {ExpectedVersion}: if a C++ symbol changed, loading fails and names it " +
                $"(then use a PyTorch/libtorch {ExpectedVersion}.x, or build TorchSharp's native shim against this one).");
        bool hasCuda = Cuda.All(n => File.Exists(Path.Combine(full, LibraryFile(n))));
        return new Inspection(full, version, hasCuda, warnings);
    }

    /// <summary>
    /// Loads the folder's libraries into the process (before TorchSharp loads its own); call before the first tensor.
    /// Returns the inspection (its warnings are for the caller to print).
    /// </summary>
    public static Inspection Load(string folder)
    {
        var inspection = Inspect(folder);
        if (Loaded == inspection.Folder) return inspection;
        if (Loaded is not null) throw new DeviceException($"libtorch was already loaded from {Loaded}; one process uses one libtorch.");
        // TorchSharp loads torch_cpu from beside its assembly by path, whatever is loaded already: with a libtorch package
        // in the build, that is a second libtorch registering its kernels into this one's dispatcher (c10 errors, then a crash).
        if (TorchNativeLibrary.PackageLibrary("libtorch_cpu") is { } packaged && Path.GetDirectoryName(packaged) != inspection.Folder)
            throw new DeviceException($"this petseg carries its own libtorch ({Path.GetDirectoryName(packaged)}), which TorchSharp loads whatever {Variable} says, " +
                $"so {inspection.Folder} would be a second libtorch in the process. Build or publish it without one to use an installed libtorch: " +
                "dotnet publish src/PetSeg.Cli -p:TorchDevice=none (as build/gpu-kit/pack.sh does).");
        foreach (var name in inspection.HasCuda ? ["libc10", "libc10_cuda", "libtorch_cpu", "libtorch_cuda", "libtorch"] : Required)
        {
            var path = Path.Combine(inspection.Folder, LibraryFile(name));
            if (!NativeLibrary.TryLoad(path, out _))
                throw new DeviceException($"{path} could not be loaded (a library it needs is missing from the folder or the system; `ldd {path}` lists them).");
        }
        Loaded = inspection.Folder;
        LoadedVersion = inspection.Version;
        return inspection;
    }

    private static string LibraryFile(string name) =>
        OperatingSystem.IsWindows() ? name[3..] + ".dll" : OperatingSystem.IsMacOS() ? name + ".dylib" : name + ".so";

    private static string? ReadVersion(string folder)
    {
        var parent = Path.GetDirectoryName(folder);
        if (parent is null) return null;
        var versionPy = Path.Combine(parent, "version.py"); // torch/version.py: __version__ = '2.11.0+cu130'
        if (File.Exists(versionPy) && Regex.Match(File.ReadAllText(versionPy), @"__version__\s*=\s*['""]([^'""]+)['""]") is { Success: true } m)
            return m.Groups[1].Value;
        var buildVersion = Path.Combine(parent, "build-version"); // libtorch-*.zip: 2.10.0+cu128
        return File.Exists(buildVersion) ? File.ReadAllText(buildVersion).Trim() : null;
    }
}
