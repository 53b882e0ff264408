using PetSeg.Models.Decoders;
using PetSeg.Models.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Smp;

/// <summary>
/// segmentation_models_pytorch 0.5 <c>Segformer(encoder_name="mit_b0", classes=N, activation=None)</c>: MiT-b0 encoder,
/// all-MLP decoder at stride 4, a 1×1 conv head and ×4 bilinear upsampling with align_corners=True.
/// Height and width must be divisible by 32.
/// </summary>
public sealed class Segformer : Module<Tensor, Tensor>, ITraceable
{
    private const int SegmentationChannels = 256;

    private readonly MixVisionTransformerEncoder encoder;
    private readonly SegformerDecoder decoder;
    private readonly Sequential segmentation_head;

    public Segformer(int classes = 2, int inChannels = 3) : base(nameof(Segformer))
    {
        encoder = new MixVisionTransformerEncoder(inChannels);
        int[] channels = [inChannels, 0, .. MixVisionTransformerEncoder.EmbedDims];
        decoder = new SegformerDecoder(channels, SegmentationChannels);
        segmentation_head = Sequential(
            Conv2d(SegmentationChannels, classes, 1),
            Upsample(scale_factor: [4.0, 4.0], mode: UpsampleMode.Bilinear, align_corners: true));
        RegisterComponents();
        encoder.InitializeLikeMit();
        SmpInit.Decoder(decoder);
        SmpInit.Head(segmentation_head);
    }

    /// <summary>The encoder alone, for loading ImageNet weights whose keys carry no <c>encoder.</c> prefix.</summary>
    public Module Encoder => encoder;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return segmentation_head.call(decoder.call(encoder.call(x))).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<(string Name, Tensor Output)> Trace(Tensor input)
    {
        var features = encoder.call(input);
        var decoded = decoder.call(features);
        var traced = features.Select((f, i) => ($"encoder.out{i}", f)).Where(p => p.f.shape[1] > 0).ToList();
        traced.Add(("decoder", decoded));
        traced.Add(("logits", segmentation_head.call(decoded)));
        return traced;
    }
}
