using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Encoders;

/// <summary>torchvision's BasicBlock: two 3×3 convs with BatchNorm, a projected identity when the shape changes.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly TrackedBatchNorm2d bn1, bn2;
    private readonly Sequential? downsample;

    public BasicBlock(int inPlanes, int planes, int stride) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new TrackedBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new TrackedBatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
            downsample = Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), new TrackedBatchNorm2d(planes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = functional.relu(bn1.call(conv1.call(x)));
        h = bn2.call(conv2.call(h));
        var identity = downsample is null ? x : downsample.call(x);
        return h.add_(identity, Scalars.One).relu_().MoveToOuterDisposeScope();
    }
}
