namespace PetSeg.Compute;

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
