using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Loads ImageNet encoder weights (torchvision ResNet-34 or MiT-b0, in any PyTorch format) into a model's encoder:
/// the classifier (<c>fc.*</c>, <c>head.*</c>) is dropped, the rest must fit exactly; only
/// <c>num_batches_tracked</c> may be absent, as in pre-0.4.1 files, and then keeps the model's value, as PyTorch does.
/// </summary>
public static class EncoderWeights
{
    public static void LoadInto(nn.Module encoder, string path)
    {
        StateDictLoader.LoadFile(encoder, path,
            mapKey: k => k.StartsWith("fc.", StringComparison.Ordinal) || k.StartsWith("head.", StringComparison.Ordinal) ? null
                : k.StartsWith("encoder.", StringComparison.Ordinal) ? k["encoder.".Length..] : k,
            mayBeMissing: k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
    }
}
