using PetSeg.Compute;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// Horizontal-flip test-time augmentation as ttach's <c>SegmentationTTAWrapper(model, [HorizontalFlip()], merge_mode="mean")</c>
/// computes it: the mean of the model's logits for the image and for its left-right mirror, mirrored back. The training
/// flips pets too, so both views are in distribution and their errors partly cancel; inference costs two forward passes.
/// A wrapper, so evaluation, the prediction grids and <c>predict</c> take it as they take any model. It has no weights of
/// its own (its parameters are the model's, under <c>model.</c>; export the model, not this) and disposing it disposes the model.
/// </summary>
public sealed class FlipAveraged : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> model;

    public FlipAveraged(nn.Module<Tensor, Tensor> model) : base(nameof(FlipAveraged))
    {
        this.model = model;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var mirrored = model.call(x.flip(3)).flip(3);
        return model.call(x).add_(mirrored, Scalars.One).mul_(Scalars.Of(0.5)).MoveToOuterDisposeScope();
    }

    /// <summary>The model as <paramref name="tta"/> evaluates it: itself, or wrapped (the caller then disposes the wrapper, not the model).</summary>
    public static nn.Module<Tensor, Tensor> Apply(nn.Module<Tensor, Tensor> model, TestTimeAugmentation tta) =>
        tta == TestTimeAugmentation.HorizontalFlip ? new FlipAveraged(model) : model;
}
