using PetSeg.Compute;
using PetSeg.Core;

namespace PetSeg.Cli.Console;

/// <summary>
/// What <c>petseg --version</c> prints: this build's version with the commit it was built from
/// (<see cref="BuildVersion"/>) and the TorchSharp and libtorch it computes with — the first lines of any bug report.
/// </summary>
public static class ProgramVersion
{
    public static string Text => $"{BuildVersion.Text} (TorchSharp {BuildVersion.TorchSharp}, libtorch {LibTorchFolder.Describe()})";
}
