using PetSeg.Compute;
using static TorchSharp.torch;

namespace PetSeg.Training.Losses;

/// <summary>
/// smp 0.5's <c>DiceLoss(mode="multiclass", from_logits=True, ignore_index=255)</c> with its defaults (smooth 0,
/// eps 1e-7, no log): per class dice = 2·Σ p·t / max(Σ (p + t), eps) over the batch's non-border pixels; the loss is
/// the mean over classes of 1 − dice (<see cref="OverlapSums"/>).
/// </summary>
public static class DiceLoss
{
    public const double Eps = OverlapSums.Eps;

    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var s = OverlapSums.Of(logits, target);
        return s.LossOf(s.Intersection.mul(Scalars.Of(2.0)).div(s.Cardinality.clamp_min(Scalars.Of(Eps)))).MoveToOuterDisposeScope();
    }
}
