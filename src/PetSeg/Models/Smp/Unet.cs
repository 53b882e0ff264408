using PetSeg.Models.Decoders;
using PetSeg.Models.Encoders;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Smp;

/// <summary>
/// segmentation_models_pytorch 0.5 <c>Unet(encoder_name=…, classes=N, activation=None)</c>: same structure,
/// same state_dict keys (<c>encoder.*</c>, <c>decoder.blocks.*</c>, <c>segmentation_head.0.*</c>), raw logits out.
/// Any input size works: each decoder stage upsamples to the exact size of its skip.
/// </summary>
public sealed class Unet(int classes = 2, int inChannels = 3, string encoder = EncoderRegistry.ResNet34) : SmpSegmentationModel(nameof(Unet), encoder,
    EncoderRegistry.Get(encoder).Create(inChannels),
    new UnetDecoder(EncoderRegistry.Get(encoder).OutChannels.ToArray()),
    Sequential(new NarrowConv2d(UnetDecoder.DefaultChannels[^1], classes, 3, padding: 1)));
