using PetSeg.Models.Encoders;
using PetSeg.Models.Lab;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using static TorchSharp.torch;

namespace PetSeg.Models;

/// <summary>
/// The models by name: the lab's four, and smp's Unet and Segformer on every encoder in the
/// <see cref="EncoderRegistry"/> (<c>unet-resnet50</c>, <c>segformer-mit_b2</c>, <c>unet-mit_b0</c>), as smp names a
/// model by its decoder and <c>encoder_name</c>. <c>ModelZoo.Create(new ModelSpec("unet-resnet34"))</c> builds a model with smp's
/// initialisation; <see cref="LoadPyTorchWeights"/> and <see cref="LoadEncoderWeights"/> fill it from PyTorch files.
/// </summary>
public static class ModelZoo
{
    public const string UnetResNet34 = "unet-resnet34";
    public const string SegformerMitB0 = "segformer-mit_b0";
    public const string SimpleUnet = "simple-unet";
    public const string SimpleVit = "simple-vit";

    /// <param name="Encoder">The pretrainable encoder's registry name, or null for the lab's from-scratch models.</param>
    /// <param name="Multiple">What an input's height and width must be a multiple of (1: any size), and <paramref name="Why"/>.</param>
    private sealed record Architecture(string Name, string? Encoder, Func<ModelSpec, nn.Module<Tensor, Tensor>> Create, int Multiple = 1, string? Why = null);

    private const string MitWhy = "its MiT encoder";

    /// <summary>
    /// smp's two decoders on every registered encoder (smp's <c>Unet(encoder_name=…)</c>, <c>Segformer(encoder_name=…)</c>).
    /// The Unet decoder resizes each upsampled map to its skip's size, so any size passes through a ResNet.
    /// </summary>
    private static readonly Architecture[] SmpModels =
    [
        .. EncoderRegistry.All.Select(e => new Architecture("unet-" + e.Name, e.Name, s => new Unet(s.Classes, s.InChannels, e.Name),
            EncoderRegistry.IsMit(e.Name) ? 32 : 1, EncoderRegistry.IsMit(e.Name) ? MitWhy : null)),
        .. EncoderRegistry.All.Select(e => new Architecture("segformer-" + e.Name, e.Name, s => new Segformer(s.Classes, s.InChannels, e.Name),
            32, EncoderRegistry.IsMit(e.Name) ? MitWhy : "Segformer's ×4 upsampled output")),
    ];

    /// <summary>The lab's four first (as every list of names shows them), then the other encoder pairings.</summary>
    private static readonly Architecture[] Entries =
    [
        SmpModels.Single(a => a.Name == UnetResNet34),
        SmpModels.Single(a => a.Name == SegformerMitB0),
        new(SimpleUnet, null, s => new SimpleUNet(s.InChannels, s.Classes), SimpleUNet.SizeMultiple, "its two 2×2 poolings, undone by two ×2 transposed convolutions"),
        new(SimpleVit, null, s => new SimpleViTSegmentation(s.ImageSize, s.PatchSize, s.Classes, s.Dim, s.Depth, s.Heads, s.MlpRatio, s.InChannels)),
        .. SmpModels.Where(a => a.Name is not UnetResNet34 and not SegformerMitB0),
    ];

    public static readonly IReadOnlyList<string> Architectures = Entries.Select(e => e.Name).ToList();

    /// <summary>The lab's four models (what <c>bench --model all</c> and the device tests run).</summary>
    public static readonly IReadOnlyList<string> LabArchitectures = [UnetResNet34, SegformerMitB0, SimpleUnet, SimpleVit];

    /// <summary>The architecture's pretrainable encoder (its <see cref="EncoderRegistry"/> name), or null.</summary>
    public static string? EncoderName(string architecture) => Find(architecture).Encoder;

    /// <summary>The smp architecture built on <paramref name="encoder"/> (the model an encoder is pretrained inside).</summary>
    public static string ArchitectureWith(string encoder) =>
        Find((EncoderRegistry.IsMit(encoder) ? "segformer-" : "unet-") + EncoderRegistry.Get(encoder).Name).Name; // its family's own decoder

    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => Find(spec.Architecture).Create(spec);

    /// <summary>
    /// Why <paramref name="spec"/>'s model cannot segment square images of <paramref name="size"/> pixels (its output
    /// would not be the input's size, or its layers refuse), or null where it can. Every command that picks a size checks
    /// here first: pipeline.yaml's image_size, predict's and score's size, the benchmarks'.
    /// </summary>
    public static string? SizeProblem(ModelSpec spec, int size)
    {
        if (spec.Architecture == SimpleVit)
            return size != spec.ImageSize ? $"{SimpleVit} takes only the size it was built for, {spec.ImageSize}² (one position embedding per {spec.PatchSize}-px patch), not {size}²"
                : size % spec.PatchSize != 0 ? $"{SimpleVit} needs an image size divisible by its patch size, {spec.PatchSize}"
                : null;
        var a = Find(spec.Architecture);
        return size % a.Multiple == 0 ? null : $"{a.Name} needs an image size divisible by {a.Multiple} ({a.Why})";
    }

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
