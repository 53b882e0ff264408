using static TorchSharp.torch;

namespace PetSeg.Models.Encoders;

/// <summary>One encoder: its name (smp's <c>encoder_name</c>), feature channels per stage, constructor and ImageNet weights.</summary>
/// <param name="OutChannels">Channels of every feature map the encoder returns, the input first (smp's <c>out_channels</c>).</param>
/// <param name="Create">Builds the encoder for a number of input channels, with the initialisation smp uses when no weights are loaded.</param>
public sealed record EncoderInfo(string Name, IReadOnlyList<int> OutChannels, Func<int, nn.Module<Tensor, Tensor[]>> Create, PretrainedWeights ImageNet)
{
    /// <summary>Maps a key of the ImageNet file to the encoder's key: the classifier is dropped, an <c>encoder.</c> prefix stripped.</summary>
    public string? MapImageNetKey(string key) =>
        key.StartsWith(ImageNet.ClassifierPrefix, StringComparison.Ordinal) ? null
        : key.StartsWith("encoder.", StringComparison.Ordinal) ? key["encoder.".Length..] : key;
}
