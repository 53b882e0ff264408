using PetSeg.Compute;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training.Losses;

/// <summary>
/// smp 0.5's <c>FocalLoss(mode="multiclass", ignore_index=255)</c> with its defaults (gamma 2, no alpha, mean, not
/// normalised): for each class c, the sigmoid focal loss of its logit against [y = c] — BCE-with-logits scaled by
/// (1 − p_t)^2, so pixels already right count little — averaged over the non-border pixels; summed over the classes.
/// smp treats each class's logit as its own binary problem here (a sigmoid, not the softmax the other losses take).
/// A batch with no pixel to score gives 0 (smp's mean of nothing is NaN, which would stop a training).
/// </summary>
public static class FocalLoss
{
    public const double Gamma = 2.0;

    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var pixels = ScoredPixels.Of(logits, target);
        var (z, y) = (pixels.Values, pixels.Labels);
        if (y.numel() == 0) return pixels.Zero.MoveToOuterDisposeScope();
        long classes = pixels.Classes;
        Tensor? total = null;
        for (long c = 0; c < classes; c++)
        {
            var t = y.eq(Scalars.Of(c)).to_type(z.dtype);
            var logpt = F.binary_cross_entropy_with_logits(z.select(1, c), t, reduction: nn.Reduction.None);
            var term = ((-logpt).exp().OneMinus().pow(Scalars.Of(Gamma)) * logpt).mean();
            total = total is null ? term : total.Plus(term);
        }
        return total!.MoveToOuterDisposeScope();
    }
}
