using PetSeg.Models.Decoders;
using PetSeg.Models.Encoders;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Smp;

/// <summary>
/// segmentation_models_pytorch 0.5 <c>Unet(encoder_name="resnet34", classes=N, activation=None)</c>: same structure,
/// same state_dict keys (<c>encoder.*</c>, <c>decoder.blocks.*</c>, <c>segmentation_head.0.*</c>), raw logits out.
/// Any input size works: each decoder stage upsamples to the exact size of its skip.
/// </summary>
public sealed class Unet : Module<Tensor, Tensor>, ITraceable
{
    private readonly ResNetEncoder encoder;
    private readonly UnetDecoder decoder;
    private readonly Sequential segmentation_head;

    public Unet(int classes = 2, int inChannels = 3) : base(nameof(Unet))
    {
        encoder = new ResNetEncoder(inChannels);
        decoder = new UnetDecoder(ResNetEncoder.OutChannels);
        segmentation_head = Sequential(Conv2d(UnetDecoder.DefaultChannels[^1], classes, 3, padding: 1));
        RegisterComponents();
        encoder.InitializeLikeTorchvision();
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
        var traced = features.Select((f, i) => ($"encoder.out{i}", f)).ToList();
        traced.Add(("decoder", decoded));
        traced.Add(("logits", segmentation_head.call(decoded)));
        return traced;
    }
}
