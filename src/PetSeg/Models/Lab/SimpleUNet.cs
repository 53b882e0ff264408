using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Lab;

/// <summary>
/// The lab's SimpleUNet, field for field (so state_dict keys match the notebook's): two conv blocks with max-pool,
/// a bottleneck, two ConvTranspose upsamplings without skip connections, and a 1×1 output conv.
/// </summary>
public sealed class SimpleUNet : Module<Tensor, Tensor>, ITraceable
{
    private readonly Sequential conv1, conv2, bottleneck, dec_conv2, dec_conv1;
    private readonly MaxPool2d pool1, pool2;
    private readonly SplitBiasConvTranspose2d upconv2, upconv1;
    private readonly NarrowConv2d out_conv;

    public SimpleUNet(int inChannels = 3, int outChannels = 2) : base(nameof(SimpleUNet))
    {
        conv1 = ConvBlock(inChannels, 32);
        pool1 = MaxPool2d(2, 2);
        conv2 = ConvBlock(32, 64);
        pool2 = MaxPool2d(2, 2);
        bottleneck = ConvBlock(64, 128);
        upconv2 = new SplitBiasConvTranspose2d(128, 64, 2, stride: 2);
        dec_conv2 = ConvBlock(64, 64);
        upconv1 = new SplitBiasConvTranspose2d(64, 32, 2, stride: 2);
        dec_conv1 = ConvBlock(32, 32);
        out_conv = new NarrowConv2d(32, outChannels, 1);
        RegisterComponents();
    }

    private static Sequential ConvBlock(int inCh, int outCh) => Sequential(
        Conv2d(inCh, outCh, 3, padding: 1), ReLU(inplace: true),
        Conv2d(outCh, outCh, 3, padding: 1), ReLU(inplace: true));

    /// <summary>What an input's sides must be a multiple of: two 2×2 poolings, undone by two ×2 transposed convolutions.</summary>
    public const int SizeMultiple = 4;

    public override Tensor forward(Tensor x)
    {
        // Two 2×2 poolings floor odd sizes, and the transposed convolutions would give back a smaller mask than the image.
        if (x.shape[^1] % SizeMultiple != 0 || x.shape[^2] % SizeMultiple != 0)
            throw new ArgumentException($"SimpleUNet input is {x.shape[^2]}×{x.shape[^1]}; height and width must be divisible by {SizeMultiple} (its two 2×2 poolings)");
        using var scope = NewDisposeScope();
        var h = pool1.call(conv1.call(x));
        h = pool2.call(conv2.call(h));
        h = bottleneck.call(h);
        h = dec_conv2.call(upconv2.call(h));
        h = dec_conv1.call(upconv1.call(h));
        return out_conv.call(h).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<(string Name, Tensor Output)> Trace(Tensor input)
    {
        var traced = new List<(string, Tensor)>();
        Tensor Step(string name, Module<Tensor, Tensor> m, Tensor x) { var y = m.call(x); traced.Add((name, y)); return y; }
        var h = Step("pool1", pool1, Step("conv1", conv1, input));
        h = Step("pool2", pool2, Step("conv2", conv2, h));
        h = Step("bottleneck", bottleneck, h);
        h = Step("dec_conv2", dec_conv2, Step("upconv2", upconv2, h));
        h = Step("dec_conv1", dec_conv1, Step("upconv1", upconv1, h));
        Step("logits", out_conv, h);
        return traced;
    }
}
