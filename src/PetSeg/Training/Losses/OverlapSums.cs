using PetSeg.Compute;
using PetSeg.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training.Losses;

/// <summary>
/// What smp's multiclass Dice and Jaccard losses share (with <c>from_logits=True, ignore_index=255</c>): softmax over
/// the classes; border pixels zeroed in both the probabilities and the one-hot targets (so their logits get no
/// gradient); per class, over the whole batch's pixels, Σ p·t, Σ (p + t), and whether the class occurs in any target.
/// </summary>
internal readonly record struct OverlapSums(Tensor Intersection, Tensor Cardinality, Tensor Present)
{
    /// <summary>smp's clamp on the score's denominator.</summary>
    public const double Eps = 1e-7;

    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static OverlapSums Of(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope(); // the chains' temporaries stay referenced while the next op reads them
        var x = ScoredPixels.Widen(logits);
        long n = x.shape[0], classes = x.shape[1];
        var probabilities = x.log_softmax(1).exp().view(n, classes, -1);           // as smp: log_softmax(dim=1).exp()
        var y = target.to_type(ScalarType.Int64).view(n, -1);
        var scored = y.ne(Scalars.Of((long)SegmentationLabels.IgnoreIndex));
        var valid = scored.unsqueeze(1);                                           // N×1×P
        var p = probabilities * valid;
        var truth = (F.one_hot(y * scored, classes).permute(0, 2, 1) * valid).to_type(p.dtype); // N×C×P; a border pixel's label 0 is masked out
        long[] batchAndPixels = [0, 2];
        return new OverlapSums((p * truth).sum(batchAndPixels).MoveToOuterDisposeScope(), p.Plus(truth).sum(batchAndPixels).MoveToOuterDisposeScope(),
            truth.sum(batchAndPixels).gt(Scalars.Of(0L)).to_type(p.dtype).MoveToOuterDisposeScope());
    }

    /// <summary>smp's aggregation: the mean over classes of 1 − score, a class absent from every target contributing 0 (its score is undefined) but still counting in the mean.</summary>
    public Tensor LossOf(Tensor score)
    {
        using var scope = NewDisposeScope();
        return (score.OneMinus() * Present).mean().MoveToOuterDisposeScope();
    }
}
