using System.Reflection;

namespace PetSeg.Core;

/// <summary>
/// This build's version with the commit it was built from (the SDK appends the commit to the informational version;
/// shortened to 12 digits), e.g. <c>0.1.0+998d7c52d96f</c>: what <c>petseg --version</c> and the report name.
/// </summary>
public static class BuildVersion
{
    public static string Text { get; } = Read();

    /// <summary>The TorchSharp this build references, as its package names it (0.107.0, not the assembly's 0.107.0.0).</summary>
    public static string TorchSharp { get; } = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    private static string Read()
    {
        var version = typeof(BuildVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return version.IndexOf('+') is var plus and > 0 && version.Length > plus + 13 ? version[..(plus + 13)] : version;
    }
}
