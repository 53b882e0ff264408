using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Decoders;

/// <summary>
/// smp's Conv2dReLU with batchnorm: conv without bias, BatchNorm, ReLU (keys <c>0.weight</c>, <c>1.*</c>). A decoder
/// that computes the conv itself (from slices of its weight) finishes the block with <see cref="ConvSequential.AfterConv"/>.
/// </summary>
internal static class Conv2dReLU
{
    public static Sequential Create(int inChannels, int outChannels, int kernelSize = 3) =>
        Sequential(Conv2d(inChannels, outChannels, kernelSize, padding: kernelSize / 2, bias: false), new TrackedBatchNorm2d(outChannels), ReLU(inplace: true));
}

/// <summary>One Unet decoder stage: nearest-upsample to the skip's size, concatenate the skip, two Conv2dReLU.</summary>
public sealed class UnetDecoderBlock : Module<Tensor, Tensor?, long[], Tensor>
{
    private readonly Sequential conv1, conv2;

    public UnetDecoderBlock(int inChannels, int skipChannels, int outChannels) : base(nameof(UnetDecoderBlock))
    {
        conv1 = Conv2dReLU.Create(inChannels + skipChannels, outChannels);
        conv2 = Conv2dReLU.Create(outChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor? skip, long[] size)
    {
        using var scope = NewDisposeScope();
        x = functional.interpolate(x, size, mode: InterpolationMode.Nearest);
        if (skip is null) return conv2.call(conv1.call(x)).MoveToOuterDisposeScope();
        // conv(cat(x, skip)) = conv(x, W[:, :Cx]) + conv(skip, W[:, Cx:]): no concatenation to copy forward, and no
        // channel slices of its gradient, which ATen's upsample backward and the skip's sum can only walk slowly.
        var weight = ConvSequential.Weight(conv1);
        long cx = x.size(1);
        var y = functional.conv2d(x, weight.narrow(1, 0, cx), padding: [1, 1])
            .add_(functional.conv2d(skip, weight.narrow(1, cx, weight.size(1) - cx), padding: [1, 1]), Scalars.One);
        return conv2.call(ConvSequential.AfterConv(conv1, y)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// smp's UnetDecoder for a 5-level encoder: the deepest feature is upsampled stage by stage to the size of the next
/// shallower feature (the input size at the end), concatenated with it, and refined. No center block for ResNets.
/// </summary>
public sealed class UnetDecoder : Module<Tensor[], Tensor>
{
    public static readonly int[] DefaultChannels = [256, 128, 64, 32, 16];

    private readonly ModuleList<UnetDecoderBlock> blocks;

    public UnetDecoder(int[] encoderChannels, int[]? decoderChannels = null) : base(nameof(UnetDecoder))
    {
        decoderChannels ??= DefaultChannels;
        // Features 1..5 reversed: [512, 256, 128, 64, 64] for ResNet-34; feature 0 (the input) is never a skip.
        var reversed = encoderChannels.Skip(1).Reverse().ToArray();
        var inChannels = new[] { reversed[0] }.Concat(decoderChannels[..^1]).ToArray();
        var skipChannels = reversed.Skip(1).Append(0).ToArray();
        blocks = new ModuleList<UnetDecoderBlock>(Enumerable.Range(0, decoderChannels.Length)
            .Select(i => new UnetDecoderBlock(inChannels[i], skipChannels[i], decoderChannels[i])).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor[] features)
    {
        using var scope = NewDisposeScope();
        var x = features[^1];
        for (int i = 0; i < blocks.Count; i++)
        {
            var target = features[^(i + 2)]; // f4, f3, f2, f1, then the input itself for the last block
            var skip = i < blocks.Count - 1 && target.size(1) > 0 ? target : null; // a MiT's stride-2 placeholder adds no channels
            x = blocks[i].call(x, skip, [target.shape[2], target.shape[3]]);
        }
        return x.MoveToOuterDisposeScope();
    }
}
