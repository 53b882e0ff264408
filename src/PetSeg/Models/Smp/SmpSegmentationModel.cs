using PetSeg.Models.Encoders;
using TorchSharp.Modules;
using static TorchSharp.torch;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Smp;

/// <summary>
/// smp's SegmentationModel: encoder → decoder → segmentation head, raw logits out. The field names are smp's
/// attribute names, so the state_dict keys come out as <c>encoder.*</c>, <c>decoder.*</c>, <c>segmentation_head.*</c>.
/// </summary>
public abstract class SmpSegmentationModel : nn.Module<Tensor, Tensor>, ITraceable
{
    private readonly nn.Module<Tensor, Tensor[]> encoder;
    private readonly nn.Module<Tensor[], Tensor> decoder;
    private readonly Sequential segmentation_head;

    /// <param name="encoder">Built (and initialised) before the decoder, as smp does, so seeded initialisation draws in smp's order.</param>
    protected SmpSegmentationModel(string name, string encoderName, nn.Module<Tensor, Tensor[]> encoder, nn.Module<Tensor[], Tensor> decoder, Sequential head) : base(name)
    {
        EncoderName = encoderName;
        this.encoder = encoder;
        this.decoder = decoder;
        segmentation_head = head;
        RegisterComponents();
        SmpInit.Decoder(decoder);
        SmpInit.Head(segmentation_head);
    }

    /// <summary>The encoder's <see cref="EncoderRegistry"/> name (smp's <c>encoder_name</c>).</summary>
    public string EncoderName { get; }

    /// <summary>The encoder alone, for loading ImageNet weights whose keys carry no <c>encoder.</c> prefix.</summary>
    public nn.Module Encoder => encoder;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return segmentation_head.call(decoder.call(encoder.call(x))).MoveToOuterDisposeScope();
    }

    /// <summary>The encoder features (<c>encoder.outN</c>, empty placeholders skipped), the decoder output and the logits.</summary>
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
