using PetSeg.Models.Lab;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Models;

/// <summary>
/// The four models of the lab by name. <c>ModelZoo.Create(new ModelSpec("unet-resnet34"))</c> builds a model with smp's
/// initialisation; <see cref="LoadPyTorchWeights"/> and <see cref="LoadEncoderWeights"/> fill it from PyTorch files.
/// </summary>
public static class ModelZoo
{
    public const string UnetResNet34 = "unet-resnet34";
    public const string SegformerMitB0 = "segformer-mit_b0";
    public const string SimpleUnet = "simple-unet";
    public const string SimpleVit = "simple-vit";

    public static readonly IReadOnlyList<string> Architectures = [UnetResNet34, SegformerMitB0, SimpleUnet, SimpleVit];

    /// <summary>Whether the architecture has an ImageNet-pretrainable encoder (and which weights file name it expects).</summary>
    public static string? EncoderName(string architecture) => architecture switch
    {
        UnetResNet34 => "resnet34",
        SegformerMitB0 => "mit_b0",
        _ => null,
    };

    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => spec.Architecture switch
    {
        UnetResNet34 => new Unet(spec.Classes, spec.InChannels),
        SegformerMitB0 => new Segformer(spec.Classes, spec.InChannels),
        SimpleUnet => new SimpleUNet(spec.InChannels, spec.Classes),
        SimpleVit => new SimpleViTSegmentation(spec.ImageSize, spec.PatchSize, spec.Classes, spec.Dim, spec.Depth, spec.Heads, spec.MlpRatio, spec.InChannels),
        _ => throw new ArgumentException($"unknown model '{spec.Architecture}'; known: {string.Join(", ", Architectures)}"),
    };

    /// <summary>Loads a full PyTorch state_dict (zip/legacy .pth or .safetensors), strictly, converting dtypes.</summary>
    public static void LoadPyTorchWeights(nn.Module model, string path) => StateDictLoader.LoadFile(model, path);

    /// <summary>Loads ImageNet encoder weights into a Unet or Segformer (classifier dropped).</summary>
    public static void LoadEncoderWeights(nn.Module model, string path)
    {
        var encoder = model is SmpSegmentationModel smp ? smp.Encoder
            : throw new ArgumentException($"{model.GetName()} has no pretrainable encoder");
        EncoderWeights.LoadInto(encoder, path);
    }
}
