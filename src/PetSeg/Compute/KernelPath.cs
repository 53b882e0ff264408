namespace PetSeg.Compute;

/// <summary>
/// Which kernels compute, cheapest first; the self-check picks the first that passes. <see cref="OneDnn"/> is libtorch
/// as shipped. <see cref="PaddedNarrowConvolutions"/> computes every convolution with fewer than
/// <see cref="Convolution.NarrowChannels"/> output channels (the models' heads) with zero filters added up to that
/// many and keeps the real channels, because oneDNN's input-gradient kernels for few output channels are the ones seen
/// wrong (numerics.md; every wider case was right); the rest of the model is untouched. <see cref="OneDnnOff"/> switches
/// oneDNN off for the whole process (ATen's own kernels: correct, but a 3×3 ResNet convolution's step is ~16× slower).
/// </summary>
public enum KernelPath { OneDnn, PaddedNarrowConvolutions, OneDnnOff }

public static class KernelPaths
{
    /// <summary>Short names for the command line (<c>bench train-step --kernels</c>), in <see cref="KernelPath"/> order.</summary>
    public static readonly IReadOnlyList<string> ShortNames = ["onednn", "padded", "onednn-off"];

    public static bool TryParse(string text, out KernelPath path)
    {
        int i = ShortNames.ToList().IndexOf(text.Trim().ToLowerInvariant());
        path = i < 0 ? KernelPath.OneDnn : (KernelPath)i;
        return i >= 0;
    }

    /// <summary>The name results record and <c>petseg doctor</c> prints.</summary>
    public static string Name(this KernelPath path) => path switch
    {
        KernelPath.OneDnn => "onednn",
        KernelPath.PaddedNarrowConvolutions => "onednn, narrow convolutions padded to 16 output channels",
        _ => "onednn off (ATen kernels)",
    };
}
