namespace PetSeg.Models.Encoders;

/// <summary>
/// The encoders by name, like smp's per-family <c>encoders</c> dictionaries: adding ResNet-18 (or another depth of
/// a BasicBlock ResNet) is one entry here, plus a parity fixture.
/// </summary>
public static class EncoderRegistry
{
    public const string ResNet34 = "resnet34";
    public const string MitB0 = "mit_b0";

    private static readonly EncoderInfo[] Entries =
    [
        new(ResNet34, ResNetEncoder.ChannelsFor(64, 128, 256, 512),
            inChannels => ResNetEncoder.Initialized(new ResNetEncoder([3, 4, 6, 3], inChannels)),
            // torchvision's zip re-upload of resnet34-333f7ec4 (same weights, readable format).
            new PretrainedWeights("resnet34-b627a593.pth", [new Uri("https://download.pytorch.org/models/resnet34-b627a593.pth")],
                "78fe1097b28dbda1373a700020afeed9", "b627a593bcbe140c234610266fe4f8ae95ea42fc881d091c9b6052e6b1d0590f", 87_319_819,
                WeightsFormat.TorchZip, "fc.", 512)),
        new(MitB0, [3, 0, .. MixVisionTransformerEncoder.EmbedDims],
            inChannels => MixVisionTransformerEncoder.Initialized(new MixVisionTransformerEncoder(inChannels)),
            // smp 0.5's file; no published checksum: the first download's digest is recorded in pipeline.lock.
            new PretrainedWeights("mit_b0.safetensors",
                [new Uri("https://huggingface.co/smp-hub/mit_b0.imagenet/resolve/9ce53d104d92d75aabb00aae70677aaab67e7c84/model.safetensors")],
                null, null, null, WeightsFormat.Safetensors, "head.", 256)),
    ];

    public static IReadOnlyList<EncoderInfo> All => Entries;

    public static EncoderInfo Get(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown encoder '{name}'; known: {string.Join(", ", Entries.Select(e => e.Name))}");
}
