using PetSeg.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training.Losses;

/// <summary>
/// smp 0.5's <c>DiceLoss(mode="multiclass", from_logits=True, ignore_index=255)</c> with its defaults (smooth 0,
/// eps 1e-7, no log): softmax over the classes; per class, over the whole batch's non-ignored pixels,
/// dice = 2·Σ p·t / max(Σ (p + t), eps); loss = the mean over classes of 1 − dice, where a class absent from every
/// target of the batch contributes 0 (its dice is undefined) but still counts in the mean. Ignored pixels count for
/// neither the probabilities nor the one-hot targets, so their logits get no gradient.
/// </summary>
public static class DiceLoss
{
    public const double Eps = 1e-7;

    /// <param name="logits">N×C×H×W; bf16 and fp16 are widened to fp32, fp64 stays fp64.</param>
    /// <param name="target">N×H×W class indices, 255 = ignored.</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var x = logits.dtype == ScalarType.Float64 ? logits : logits.to_type(ScalarType.Float32);
        long n = x.shape[0], classes = x.shape[1];
        var probabilities = x.log_softmax(1).exp().view(n, classes, -1);           // as smp: log_softmax(dim=1).exp()
        var y = target.to_type(ScalarType.Int64).view(n, -1);
        var scored = y.ne(SegmentationLabels.IgnoreIndex);
        var valid = scored.unsqueeze(1);                                           // N×1×P
        var p = probabilities * valid;
        var t = F.one_hot(y * scored, classes).permute(0, 2, 1) * valid;           // N×C×P; a border pixel's label 0 is masked out
        var truth = t.to_type(p.dtype);
        long[] batchAndPixels = [0, 2];
        var intersection = (p * truth).sum(batchAndPixels);
        var cardinality = (p + truth).sum(batchAndPixels);
        var dice = intersection * 2.0 / cardinality.clamp_min(Eps);
        var present = truth.sum(batchAndPixels).gt(0).to_type(dice.dtype);
        return ((1.0 - dice) * present).mean().MoveToOuterDisposeScope();
    }
}
