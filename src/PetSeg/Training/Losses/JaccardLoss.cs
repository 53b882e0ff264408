using PetSeg.Compute;
using static TorchSharp.torch;

namespace PetSeg.Training.Losses;

/// <summary>
/// smp 0.5's <c>JaccardLoss(mode="multiclass", from_logits=True, ignore_index=255)</c> with its defaults (smooth 0,
/// eps 1e-7, no log): per class the soft IoU, Σ p·t / max(Σ (p + t) − Σ p·t, eps), over the batch's non-border pixels;
/// the loss is the mean over classes of 1 − IoU (<see cref="OverlapSums"/>) — the metric the lab reports, made differentiable.
/// </summary>
public static class JaccardLoss
{
    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var s = OverlapSums.Of(logits, target);
        return s.LossOf(s.Intersection.div(s.Cardinality.Minus(s.Intersection).clamp_min(Scalars.Of(OverlapSums.Eps)))).MoveToOuterDisposeScope();
    }
}
