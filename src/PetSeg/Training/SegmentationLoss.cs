using PetSeg.Core;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Training;

/// <summary>The lab's loss: <c>CrossEntropyLoss(ignore_index=255)</c> on fp32 logits, the mean over non-ignored pixels.</summary>
public static class SegmentationLoss
{
    public static Tensor Compute(Tensor logits, Tensor target) =>
        F.cross_entropy(logits.to_type(ScalarType.Float32), target.to_type(ScalarType.Int64), ignore_index: SegmentationLabels.IgnoreIndex);
}
