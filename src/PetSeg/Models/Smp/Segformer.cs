using PetSeg.Models.Decoders;
using PetSeg.Models.Encoders;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Smp;

/// <summary>
/// segmentation_models_pytorch 0.5 <c>Segformer(encoder_name=…, classes=N, activation=None)</c>: an encoder (the
/// lab's MiT-b0, or any in the registry), all-MLP decoder at stride 4, a 1×1 conv head and ×4 bilinear upsampling with
/// align_corners=True. Height and width must be divisible by 32 (a MiT's requirement; and the ×4 head gives back the
/// input's size only then).
/// </summary>
public sealed class Segformer(int classes = 2, int inChannels = 3, string encoder = EncoderRegistry.MitB0) : SmpSegmentationModel(nameof(Segformer), encoder,
    EncoderRegistry.Get(encoder).Create(inChannels),
    new SegformerDecoder([inChannels, .. EncoderRegistry.Get(encoder).OutChannels.Skip(1)], SegmentationChannels),
    Sequential(new NarrowConv2d(SegmentationChannels, classes, 1), new BilinearUpsample(4.0, alignCorners: true)))
{
    private const int SegmentationChannels = 256;
}
