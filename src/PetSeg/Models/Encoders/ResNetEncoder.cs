using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Encoders;

/// <summary>
/// smp's ResNetEncoder for the BasicBlock ResNets (18: depths 2,2,2,2; 34: 3,4,6,3): torchvision's ResNet without
/// avgpool/fc, returning six feature maps (the input, the stem before max-pool, layer1..layer4) at strides 1, 2, 4,
/// 8, 16, 32. Depths are a parameter, as in torchvision's <c>ResNet(block, layers)</c>.
/// </summary>
public sealed class ResNetEncoder : Module<Tensor, Tensor[]>
{
    private readonly Conv2d conv1;
    private readonly TrackedBatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;

    /// <summary>smp's out_channels: the input, the stem, then each layer's width.</summary>
    public static int[] ChannelsFor(params int[] widths) => [3, 64, .. widths];

    public ResNetEncoder(IReadOnlyList<int> depths, int inChannels = 3) : base(nameof(ResNetEncoder))
    {
        conv1 = Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = new TrackedBatchNorm2d(64);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        if (depths.Count != 4) throw new ArgumentException($"a ResNet has 4 layers; got depths [{string.Join(", ", depths)}]");
        layer1 = Layer(64, 64, depths[0], 1);
        layer2 = Layer(64, 128, depths[1], 2);
        layer3 = Layer(128, 256, depths[2], 2);
        layer4 = Layer(256, 512, depths[3], 2);
        RegisterComponents();
    }

    private static Sequential Layer(int inPlanes, int planes, int blocks, int stride) =>
        Sequential(Enumerable.Range(0, blocks)
            .Select(i => (Module<Tensor, Tensor>)new BasicBlock(i == 0 ? inPlanes : planes, planes, i == 0 ? stride : 1)).ToArray());

    public override Tensor[] forward(Tensor x)
    {
        var f1 = functional.relu(bn1.call(conv1.call(x)));
        using var pooled = maxpool.call(f1);
        var f2 = layer1.call(pooled);
        var f3 = layer2.call(f2);
        var f4 = layer3.call(f3);
        var f5 = layer4.call(f4);
        return [x.alias(), f1, f2, f3, f4, f5];
    }

    /// <summary>The encoder with torchvision's init (what smp starts from when no ImageNet weights are loaded).</summary>
    public static ResNetEncoder Initialized(ResNetEncoder e)
    {
        e.InitializeLikeTorchvision();
        return e;
    }

    /// <summary>torchvision's init, used only when no ImageNet weights are loaded.</summary>
    public void InitializeLikeTorchvision()
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in named_modules())
        {
            if (m is Conv2d c) init.kaiming_normal_(c.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
            else if (m is BatchNorm bn) { init.ones_(bn.weight); init.zeros_(bn.bias); }
        }
    }
}
