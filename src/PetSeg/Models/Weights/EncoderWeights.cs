using PetSeg.Models.Encoders;
using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Loads ImageNet encoder weights (any PyTorch format) into an encoder: the registry entry says which keys are the
/// classifier to drop; the rest must fit exactly; only <c>num_batches_tracked</c> may be absent, as in pre-0.4.1
/// files, and then keeps the model's value, as PyTorch does.
/// </summary>
public static class EncoderWeights
{
    public static void LoadInto(nn.Module encoder, EncoderInfo info, string path) =>
        StateDictLoader.LoadFile(encoder, path, mapKey: info.MapImageNetKey,
            mayBeMissing: k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
}
