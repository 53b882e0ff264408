using PetSeg.Compute;
using static TorchSharp.torch;

namespace PetSeg.Training.Losses;

/// <summary>
/// smp 0.5's <c>LovaszLoss(mode="multiclass", ignore_index=255)</c> (Berman et al.'s Lovász-Softmax, per batch, the
/// classes present): softmax; border pixels left out; per class c present in the targets, the errors |[y = c] − p_c|
/// sorted in decreasing order, dotted with the Lovász extension's weights — the Jaccard loss' increments along that
/// order — the mean over those classes. A convex surrogate of 1 − IoU itself, where Jaccard's soft IoU is a smooth
/// stand-in for it. A batch with no pixel to score gives 0 (smp returns an empty tensor).
/// </summary>
public static class LovaszLoss
{
    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var pixels = ScoredPixels.Of(logits, target, x => x.softmax(1)); // P×C probabilities, as smp's _flatten_probas
        var (p, y, classes) = (pixels.Values, pixels.Labels, pixels.Classes);
        Tensor? total = null;
        int present = 0;
        for (long c = 0; c < classes; c++)
        {
            var isClass = y.eq(Scalars.Of(c));
            if (!isClass.any().item<bool>()) continue; // classes="present" (smp decides on the host too)
            var fg = isClass.to_type(p.dtype);
            var truths = fg.sum();
            var (errors, order) = fg.Minus(p.select(1, c)).abs().sort(0, descending: true);
            var sortedTruth = fg.index_select(0, order);
            // _lovasz_grad: the Jaccard loss after k pixels, 1 − (Σt − cumsum t)/(Σt + cumsum(1 − t)), and its increments.
            var jaccard = (truths.Minus(sortedTruth.cumsum(0)) / truths.Plus(sortedTruth.OneMinus().cumsum(0))).OneMinus();
            var weights = jaccard.diff(prepend: zeros(1, jaccard.dtype, jaccard.device)); // [j₀, j₁ − j₀, …]
            var term = errors.dot(weights);
            total = total is null ? term : total.Plus(term);
            present++;
        }
        return (total is null ? pixels.Zero : total.div(Scalars.Of((long)present))).MoveToOuterDisposeScope();
    }
}
