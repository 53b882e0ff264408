using PetSeg.Models.Encoders;
using PetSeg.Models.Lab;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using static TorchSharp.torch;

namespace PetSeg.Models;

/// <summary>
/// The four models of the lab by name. <c>ModelZoo.Create(new ModelSpec("unet-resnet34"))</c> builds a model with smp's
/// initialisation; <see cref="LoadPyTorchWeights"/> and <see cref="LoadEncoderWeights"/> fill it from PyTorch files.
/// What an encoder is (channels, ImageNet file, key mapping) lives in <see cref="EncoderRegistry"/>.
/// </summary>
public static class ModelZoo
{
    public const string UnetResNet34 = "unet-resnet34";
    public const string SegformerMitB0 = "segformer-mit_b0";
    public const string SimpleUnet = "simple-unet";
    public const string SimpleVit = "simple-vit";

    /// <param name="Encoder">The pretrainable encoder's registry name, or null for the lab's from-scratch models.</param>
    private sealed record Architecture(string Name, string? Encoder, Func<ModelSpec, nn.Module<Tensor, Tensor>> Create);

    private static readonly Architecture[] Entries =
    [
        new(UnetResNet34, EncoderRegistry.ResNet34, s => new Unet(s.Classes, s.InChannels, EncoderRegistry.ResNet34)),
        new(SegformerMitB0, EncoderRegistry.MitB0, s => new Segformer(s.Classes, s.InChannels, EncoderRegistry.MitB0)),
        new(SimpleUnet, null, s => new SimpleUNet(s.InChannels, s.Classes)),
        new(SimpleVit, null, s => new SimpleViTSegmentation(s.ImageSize, s.PatchSize, s.Classes, s.Dim, s.Depth, s.Heads, s.MlpRatio, s.InChannels)),
    ];

    public static readonly IReadOnlyList<string> Architectures = Entries.Select(e => e.Name).ToList();

    /// <summary>The architecture's pretrainable encoder (its <see cref="EncoderRegistry"/> name), or null.</summary>
    public static string? EncoderName(string architecture) => Find(architecture).Encoder;

    /// <summary>The smp architecture built on <paramref name="encoder"/> (the model an encoder is pretrained inside).</summary>
    public static string ArchitectureWith(string encoder) =>
        Entries.FirstOrDefault(e => e.Encoder == encoder)?.Name ?? throw new ArgumentException($"no architecture uses encoder '{encoder}'");

    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => Find(spec.Architecture).Create(spec);

    /// <summary>Loads a full PyTorch state_dict (zip/legacy .pth or .safetensors), strictly, converting dtypes.</summary>
    public static void LoadPyTorchWeights(nn.Module model, string path) => StateDictLoader.LoadFile(model, path);

    /// <summary>Loads ImageNet encoder weights into a Unet or Segformer (classifier dropped).</summary>
    public static void LoadEncoderWeights(nn.Module model, string path)
    {
        var smp = model as SmpSegmentationModel ?? throw new ArgumentException($"{model.GetName()} has no pretrainable encoder");
        EncoderWeights.LoadInto(smp.Encoder, EncoderRegistry.Get(smp.EncoderName), path);
    }

    private static Architecture Find(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new ArgumentException($"unknown model '{name}'{PetSeg.Core.ClosestName.Suggestion(name, Architectures)}; known: {string.Join(", ", Architectures)}");
}
