using PetSeg.Compute;
using PetSeg.Core;
using static TorchSharp.torch;

namespace PetSeg.Training.Losses;

/// <summary>
/// What the per-pixel losses (Lovász, focal) start from, as smp's <c>_flatten_probas</c> and its ignore masks do:
/// the logits widened, then every non-border pixel's C values (logits or probabilities) as a P×C matrix and its labels.
/// </summary>
internal readonly record struct ScoredPixels(Tensor Widened, Tensor Values, Tensor Labels)
{
    /// <summary>The precision a loss is computed in: bf16 and fp16 logits widened to fp32 (the lab's <c>logits.float()</c>), fp64 kept.</summary>
    public static Tensor Widen(Tensor logits) => logits.dtype == ScalarType.Float64 ? logits : logits.to_type(ScalarType.Float32);

    /// <param name="logits">N×C×H×W.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    /// <param name="perPixel">What each pixel's row holds, from the widened logits (e.g. their softmax); the logits when null.</param>
    public static ScoredPixels Of(Tensor logits, Tensor target, Func<Tensor, Tensor>? perPixel = null)
    {
        using var scope = NewDisposeScope(); // the chains' temporaries stay referenced while the next op reads them
        var x = Widen(logits);
        long classes = x.shape[1];
        var labels = target.to_type(ScalarType.Int64).reshape(-1);
        var scored = labels.ne(Scalars.Of((long)SegmentationLabels.IgnoreIndex)).nonzero().squeeze(1);
        var values = (perPixel is null ? x : perPixel(x)).permute(0, 2, 3, 1).reshape(-1, classes).index_select(0, scored);
        if (!ReferenceEquals(x, logits)) x.MoveToOuterDisposeScope(); // fp64 logits are the caller's own
        return new ScoredPixels(x, values.MoveToOuterDisposeScope(), labels.index_select(0, scored).MoveToOuterDisposeScope());
    }

    public long Classes => Values.shape[1];

    /// <summary>A zero on the logits' graph, for a batch with nothing to score (its logits get zero gradients).</summary>
    public Tensor Zero => Widened.sum().mul(Scalars.Of(0.0));
}
