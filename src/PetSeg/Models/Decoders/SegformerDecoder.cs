using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Decoders;

/// <summary>
/// smp's SegformerDecoder: each encoder stage (deepest first) is projected to 256 channels, resized bilinearly
/// (align_corners=False) to a quarter of the input's size, concatenated deepest first and fused by 1×1 conv +
/// BatchNorm + ReLU. The stages are every feature but the input, less a MiT's 0-channel stride-2 placeholder: four
/// for a MiT, five for a ResNet (whose stride-2 stem is resized down to stride 4), as smp 0.5 takes them.
/// Computed without the concatenation: a 1×1 conv of a concatenation is the sum of 1×1 convs of its parts (each with
/// its slice of <c>fuse_stage.0.weight</c>), and a 1×1 conv commutes with bilinear resizing, so each part is fused at
/// its own resolution and then resized. Same function, a quarter of the fuse conv's work, and no concatenation, whose
/// backward hands ATen's bilinear backward channel slices it can only walk serially (issue #14: 0.13–0.19 s per stage
/// per bf16 step, against 0.01–0.02 s for the contiguous gradients it gets now).
/// </summary>
public sealed class SegformerDecoder : Module<Tensor[], Tensor>
{
    private readonly ModuleList<PixelLinear> mlp_stage;
    private readonly Sequential fuse_stage;
    private readonly int _channels;

    public SegformerDecoder(int[] encoderChannels, int segmentationChannels = 256) : base(nameof(SegformerDecoder))
    {
        // Drop the input (index 0) and a 0-channel placeholder (index 1), deepest first: [256, 160, 64, 32] for MiT-b0.
        var stages = Stages(encoderChannels).Reverse().ToArray();
        _channels = segmentationChannels;
        mlp_stage = new ModuleList<PixelLinear>(stages.Select(c => new PixelLinear(c, segmentationChannels)).ToArray());
        fuse_stage = Conv2dReLU.Create(stages.Length * segmentationChannels, segmentationChannels, kernelSize: 1);
        RegisterComponents();
    }

    private static IEnumerable<T> Stages<T>(IReadOnlyList<T> features, Func<T, long> channels) =>
        features.Skip(1).Where((f, i) => i != 0 || channels(f) > 0);

    private static IEnumerable<int> Stages(int[] channels) => Stages(channels, c => c);

    public override Tensor forward(Tensor[] features)
    {
        using var scope = NewDisposeScope();
        var stages = Stages(features, f => f.size(1)).Reverse().ToArray();
        long[] size = [features[0].size(2) / 4, features[0].size(3) / 4]; // smp: dim // 4 of the input
        var fuseWeight = ConvSequential.Weight(fuse_stage);
        Tensor? fused = null;
        for (int i = 0; i < stages.Length; i++)
        {
            var part = functional.conv2d(mlp_stage[i].call(stages[i]), fuseWeight.narrow(1, i * _channels, _channels));
            if (part.size(2) != size[0] || part.size(3) != size[1])
                part = functional.interpolate(part, size, mode: InterpolationMode.Bilinear, align_corners: false);
            fused = fused is null ? part : fused.add_(part, Scalars.One);
        }
        return ConvSequential.AfterConv(fuse_stage, fused!).MoveToOuterDisposeScope();
    }
}
