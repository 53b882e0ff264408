using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Encoders;

/// <summary>
/// smp's ResNetEncoder: torchvision's ResNet without avgpool/fc, returning six feature maps (the input, the stem before
/// max-pool, layer1..layer4) at strides 1, 2, 4, 8, 16, 32. The block and the depths are parameters, as in
/// torchvision's <c>ResNet(block, layers)</c>: BasicBlock for 18 (2,2,2,2) and 34 (3,4,6,3), Bottleneck for 50
/// (3,4,6,3), 101 (3,4,23,3) and 152 (3,8,36,3).
/// </summary>
public sealed class ResNetEncoder : Module<Tensor, Tensor[]>
{
    private readonly Conv2d conv1;
    private readonly TrackedBatchNorm2d bn1;
    private readonly MaxPool2d maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;

    /// <summary>smp's out_channels: the input, the stem, then each layer's width (4× its planes for Bottleneck).</summary>
    public static int[] Channels(bool bottleneck) => bottleneck ? [3, 64, 256, 512, 1024, 2048] : [3, 64, 64, 128, 256, 512];

    public ResNetEncoder(IReadOnlyList<int> depths, int inChannels = 3, bool bottleneck = false) : base(nameof(ResNetEncoder))
    {
        conv1 = Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = new TrackedBatchNorm2d(64);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        if (depths.Count != 4) throw new ArgumentException($"a ResNet has 4 layers; got depths [{string.Join(", ", depths)}]");
        var widths = Channels(bottleneck);
        int expansion = bottleneck ? Bottleneck.Expansion : 1;
        layer1 = Layer(64, 64, depths[0], 1);
        layer2 = Layer(widths[2], 128, depths[1], 2);
        layer3 = Layer(widths[3], 256, depths[2], 2);
        layer4 = Layer(widths[4], 512, depths[3], 2);
        RegisterComponents();

        // torchvision's _make_layer: the first block takes the previous layer's width and the stride, the rest planes·expansion.
        Sequential Layer(int inPlanes, int planes, int blocks, int stride) =>
            Sequential(Enumerable.Range(0, blocks).Select(i => (Module<Tensor, Tensor>)(bottleneck
                ? new Bottleneck(i == 0 ? inPlanes : planes * expansion, planes, i == 0 ? stride : 1)
                : new BasicBlock(i == 0 ? inPlanes : planes, planes, i == 0 ? stride : 1))).ToArray());
    }

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
