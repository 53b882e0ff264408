using PetSeg.Compute;
using PetSeg.Core;

namespace PetSeg.Cli.Console;

/// <summary>
/// What <c>petseg --version</c> prints: this build's version with the commit it was built from
/// (<see cref="BuildVersion"/>) and the TorchSharp and libtorch it computes with — the first lines of any bug report.
/// </summary>
public static class ProgramVersion
{
    public static string Text
    {
        get
        {
            var torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?";
            return $"{BuildVersion.Text} (TorchSharp {torchSharp}, libtorch {LibTorchFolder.Describe()})";
        }
    }
}
