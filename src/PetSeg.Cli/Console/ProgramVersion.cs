using System.Reflection;
using PetSeg.Compute;

namespace PetSeg.Cli.Console;

/// <summary>
/// What <c>petseg --version</c> prints: this build's version with the commit it was built from (the SDK appends it to
/// the informational version) and the TorchSharp and libtorch it computes with — the first lines of any bug report.
/// </summary>
public static class ProgramVersion
{
    public static string Text
    {
        get
        {
            var version = typeof(ProgramVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            if (version.IndexOf('+') is var plus and > 0 && version.Length > plus + 13) version = version[..(plus + 13)]; // a 12-digit commit
            var torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?";
            return $"{version} (TorchSharp {torchSharp}, libtorch {LibTorchFolder.Describe()})";
        }
    }
}
