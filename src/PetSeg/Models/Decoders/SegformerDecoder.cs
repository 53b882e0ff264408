using PetSeg.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Decoders;

/// <summary>A per-pixel Linear on an N×C×H×W map (smp's Segformer <c>MLP</c>, key <c>linear.*</c>).</summary>
public sealed class PixelLinear : Module<Tensor, Tensor>
{
    private readonly Linear linear;

    public PixelLinear(int inChannels, int outChannels) : base(nameof(PixelLinear))
    {
        linear = Linear(inChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        return linear.call(x.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(b, -1, h, w).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// smp's SegformerDecoder: each encoder stage (deepest first) is projected to 256 channels, resized bilinearly
/// (align_corners=False) to stride 4, concatenated deepest first and fused by 1×1 conv + BatchNorm + ReLU.
/// </summary>
public sealed class SegformerDecoder : Module<Tensor[], Tensor>
{
    private readonly ModuleList<PixelLinear> mlp_stage;
    private readonly Sequential fuse_stage;

    public SegformerDecoder(int[] encoderChannels, int segmentationChannels = 256) : base(nameof(SegformerDecoder))
    {
        // Drop the input (index 0) and the 0-channel placeholder (index 1), deepest first: [256, 160, 64, 32].
        var stages = encoderChannels.Skip(2).Reverse().ToArray();
        mlp_stage = new ModuleList<PixelLinear>(stages.Select(c => new PixelLinear(c, segmentationChannels)).ToArray());
        fuse_stage = Sequential(
            Conv2d(stages.Length * segmentationChannels, segmentationChannels, 1, bias: false),
            new TrackedBatchNorm2d(segmentationChannels), ReLU(inplace: true));
        RegisterComponents();
    }

    public override Tensor forward(Tensor[] features)
    {
        using var scope = NewDisposeScope();
        var stages = features.Skip(2).Reverse().ToArray();
        long[] size = [features[2].shape[2], features[2].shape[3]];
        var projected = stages.Select((f, i) => functional.interpolate(mlp_stage[i].call(f), size, mode: InterpolationMode.Bilinear, align_corners: false)).ToArray();
        return fuse_stage.call(cat(projected, 1)).MoveToOuterDisposeScope();
    }
}
