using PetSeg.Compute;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Models.Init;

/// <summary>
/// PyTorch's <c>nn.init.trunc_normal_(tensor, mean, std, a, b)</c>: uniform on [2·Φ(α)−1, 2·Φ(β)−1), inverse error
/// function, scaled by std·√2, shifted by the mean, clamped to [a, b] — the same draws from the same generator.
/// TorchSharp 0.107's <c>init.trunc_normal_</c> is not usable: its native code multiplies by the mean and adds the std
/// (with mean 0, every value is the std, and a draw of exactly −1 becomes −∞·0 = NaN).
/// </summary>
public static class TruncatedNormal
{
    public static Tensor Fill_(Tensor tensor, double mean = 0, double std = 1, double a = -2, double b = 2)
    {
        using var noGrad = no_grad();
        double l = NormCdf((a - mean) / std), u = NormCdf((b - mean) / std);
        tensor.uniform_(2 * l - 1, 2 * u - 1);
        tensor.erfinv_();
        // Scalars kept in using locals: an implicit one has only a finalizer, which may free it mid-call (Compute/Scalars).
        using var scale = (std * Math.Sqrt(2.0)).ToScalar();
        using var shift = mean.ToScalar();
        using var low = a.ToScalar();
        using var high = b.ToScalar();
        tensor.mul_(scale);
        tensor.add_(shift, Scalars.One); // add_(shift) alone makes its alpha of 1 inside TorchSharp
        tensor.clamp_(low, high);
        return tensor;
    }

    private static double NormCdf(double x) => (1.0 + Erf(x / Math.Sqrt(2.0))) / 2.0;

    /// <summary>erf of a double through ATen's float64 kernel (C's erf, which Python's math.erf also is): .NET has none.</summary>
    private static double Erf(double x)
    {
        using var t = tensor(x, ScalarType.Float64);
        using var e = special.erf(t);
        return e.item<double>();
    }
}
