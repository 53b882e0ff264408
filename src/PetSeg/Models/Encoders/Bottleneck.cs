using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Convolution = PetSeg.Compute.Convolution;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Encoders;

/// <summary>
/// torchvision's Bottleneck (ResNet-50/101/152): 1×1 down to <c>planes</c>, 3×3 carrying the stride (ResNet v1.5, as
/// torchvision places it, not the paper's first 1×1), 1×1 up to 4·planes, each with BatchNorm; a projected identity
/// when the shape changes. The 1×1 convolutions compute through <see cref="Convolution.Conv2d"/>: oneDNN kills the
/// process on some of ResNet-50's (<see cref="Convolution.OneDnnDivideByZeroChannels"/>).
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly TrackedBatchNorm2d bn1, bn2, bn3;
    private readonly Sequential? downsample;
    private readonly long stride;

    public Bottleneck(int inPlanes, int planes, int stride) : base(nameof(Bottleneck))
    {
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = new TrackedBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = new TrackedBatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new TrackedBatchNorm2d(planes * Expansion);
        if (stride != 1 || inPlanes != planes * Expansion)
            downsample = Sequential(Conv2d(inPlanes, planes * Expansion, 1, stride: stride, bias: false), new TrackedBatchNorm2d(planes * Expansion));
        this.stride = stride;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.relu(bn1.call(Convolution.Conv2d(x, conv1.weight!, null)));
        h = functional.relu(bn2.call(conv2.call(h)));
        h = bn3.call(Convolution.Conv2d(h, conv3.weight!, null));
        var identity = downsample is null ? x : ConvSequential.AfterConv(downsample, Convolution.Conv2d(x, ConvSequential.Weight(downsample), null, stride));
        return h.add_(identity, Scalars.One).relu_().MoveToOuterDisposeScope();
    }
}
