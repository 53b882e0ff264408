using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Layers;

/// <summary>
/// <c>nn.Dropout</c> with a cheaper keep mask. ATen draws a Bernoulli sample per element from a serial loop over the
/// CPU generator (two Mersenne Twister steps and a double each): 36 ms for one SimpleViT attention map at batch 16,
/// most of its bf16 training step (issue #14). Here one 64-bit draw gives four decisions — 60 random bits cut into
/// 15-bit lanes, each compared with the threshold by vectorised tensor ops — in under half the time. The drop
/// probability is realised to the nearest 1/32768 (0.1 → 0.100006) and the survivors are scaled by the exact inverse
/// of the realised keep probability, so the expectation is unchanged; the same seed gives the same mask.
/// </summary>
public sealed class PackedBitsDropout(double p) : Module<Tensor, Tensor>("Dropout"), IStochasticLayer
{
    private const int LaneBits = 15;
    private const long Levels = 1L << LaneBits;

    public double DropProbability { get; set; } = Validate(p);

    public override Tensor forward(Tensor input) => Apply(input, DropProbability, training);

    /// <summary>Functional form (<c>F.dropout(x, p, training)</c>).</summary>
    public static Tensor Apply(Tensor x, double p, bool training)
    {
        Validate(p);
        long threshold = (long)Math.Round(p * Levels);
        if (!training || threshold == 0) return x.alias();
        using var scope = NewDisposeScope();
        if (threshold == Levels) return x.mul(zeros(1, dtype: x.dtype, device: x.device)).MoveToOuterDisposeScope();

        long n = x.numel();
        // random_(0, 2^60) takes one 64-bit draw per word (a power-of-two range: unbiased). Lane k of every word is
        // compared in place — (word & mask_k) >= threshold << 15k — so no shifts and a long contiguous inner loop.
        var words = empty((n + 3) / 4, dtype: ScalarType.Int64, device: x.device).random_(0, Math.Pow(2, 4 * LaneBits));
        var masks = tensor(Lanes(Levels - 1), device: x.device).view(4, 1);
        var thresholds = tensor(Lanes(threshold), device: x.device).view(4, 1);
        var keep = words.unsqueeze(0).bitwise_and(masks).ge(thresholds).view(-1).narrow(0, 0, n).view(x.shape);
        // One multiplier tensor in x's dtype (survivors scaled): one vectorised multiply forward and one backward.
        var scaled = tensor((double)Levels / (Levels - threshold), dtype: x.dtype, device: x.device);
        var multiplier = where(keep, scaled, zeros(1, dtype: x.dtype, device: x.device));
        return x.mul(multiplier).MoveToOuterDisposeScope();
    }

    private static long[] Lanes(long value) => [value, value << LaneBits, value << (2 * LaneBits), value << (3 * LaneBits)];

    private static double Validate(double p) =>
        p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "a dropout probability is between 0 and 1");
}
