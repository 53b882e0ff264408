namespace PetSeg.Models.Encoders;

/// <summary>
/// The encoders by name, like smp's per-family <c>encoders</c> dictionaries: torchvision's ResNets (ImageNet weights
/// from torchvision, IMAGENET1K_V1, which smp's resnet weights are) and the MiT family (smp-hub's files). Another depth
/// of a family is one entry here.
/// </summary>
public static class EncoderRegistry
{
    public const string ResNet34 = "resnet34";
    public const string MitB0 = "mit_b0";

    private static readonly EncoderInfo[] Entries =
    [
        ResNet("resnet18", [2, 2, 2, 2], bottleneck: false, "resnet18-f37072fd.pth"),
        // torchvision's zip re-upload of resnet34-333f7ec4 (same weights, readable format), pinned.
        ResNet(ResNet34, [3, 4, 6, 3], bottleneck: false, "resnet34-b627a593.pth",
            "78fe1097b28dbda1373a700020afeed9", "b627a593bcbe140c234610266fe4f8ae95ea42fc881d091c9b6052e6b1d0590f", 87_319_819),
        ResNet("resnet50", [3, 4, 6, 3], bottleneck: true, "resnet50-0676ba61.pth"),
        ResNet("resnet101", [3, 4, 23, 3], bottleneck: true, "resnet101-63fe2227.pth"),
        ResNet("resnet152", [3, 8, 36, 3], bottleneck: true, "resnet152-394f9c45.pth"),
        // smp 0.5's file at the revision the lab's runs used.
        Mit(MitB0, MitSize.B0, "9ce53d104d92d75aabb00aae70677aaab67e7c84"),
        Mit("mit_b1", MitSize.B1),
        Mit("mit_b2", MitSize.B2),
        Mit("mit_b3", MitSize.B3),
        Mit("mit_b4", MitSize.B4),
        Mit("mit_b5", MitSize.B5),
    ];

    /// <summary>
    /// A torchvision ResNet. Every file is also checked as torchvision checks it (the 8 hex digits in its name begin its
    /// SHA-256), which is what lets a copy in PyTorch's hub cache be taken for one without a full pin.
    /// </summary>
    private static EncoderInfo ResNet(string name, int[] depths, bool bottleneck, string file, string? md5 = null, string? sha256 = null, long? size = null) =>
        new(name, ResNetEncoder.Channels(bottleneck),
            inChannels => ResNetEncoder.Initialized(new ResNetEncoder(depths, inChannels, bottleneck)),
            new PretrainedWeights(file, [new Uri("https://download.pytorch.org/models/" + file)], md5, sha256, size,
                WeightsFormat.TorchZip, "fc.", bottleneck ? 2048 : 512, Sha256Prefix: file.Split('-', '.')[1]));

    /// <summary>A MiT encoder with smp-hub's ImageNet file (no published checksum: the first download's digest is recorded in pipeline.lock).</summary>
    private static EncoderInfo Mit(string name, MitSize size, string revision = "main") =>
        new(name, size.OutChannels,
            inChannels => MixVisionTransformerEncoder.Initialized(new MixVisionTransformerEncoder(size, inChannels)),
            new PretrainedWeights($"{name}.safetensors", [new Uri($"https://huggingface.co/smp-hub/{name}.imagenet/resolve/{revision}/model.safetensors")],
                null, null, null, WeightsFormat.Safetensors, "head.", size.EmbedDims[^1]));

    public static IReadOnlyList<EncoderInfo> All => Entries;

    /// <summary>Whether the encoder is a MiT (Segformer's family; its input sides must be multiples of 32).</summary>
    public static bool IsMit(string name) => name.StartsWith("mit_", StringComparison.Ordinal);

    public static EncoderInfo Get(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown encoder '{name}'; known: {string.Join(", ", Entries.Select(e => e.Name))}");
}
