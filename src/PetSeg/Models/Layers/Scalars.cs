using TorchSharp;

namespace PetSeg.Models.Layers;

/// <summary>
/// Scalars made once. TorchSharp turns every <c>double</c>/<c>int</c> argument into a native Scalar that only a
/// finalizer frees, and does it behind calls that take none: <c>a + b</c> and <c>add_(b)</c> are <c>add(b, 1)</c>
/// (dotnet/TorchSharp#1496). Thousands per step, living between the step's large temporaries, fragmented glibc's
/// heap so that RSS grew by tens of MB per step; a cached Scalar (or one disposed at once) does not.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><c>a + b</c> without the hidden Scalar.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);
}
