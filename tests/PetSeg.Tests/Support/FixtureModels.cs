using PetSeg.Models;
using PetSeg.Models.Weights;
using static TorchSharp.torch;

namespace PetSeg.Tests.Support;

/// <summary>The fixture folders' model names (smp/PyTorch style) as our ModelZoo specs, and their reference weights.</summary>
public static class FixtureModels
{
    public static ModelSpec Spec(string fixtureName) => fixtureName switch
    {
        "unet_resnet34" => new ModelSpec(ModelZoo.UnetResNet34),
        "segformer_mit_b0" => new ModelSpec(ModelZoo.SegformerMitB0),
        "simple_unet" => new ModelSpec(ModelZoo.SimpleUnet),
        // The lab's SimpleViT as the fixtures build it: 64² input, patch 16, dim 128, depth 3, 4 heads, MLP ×4.
        "simple_vit" => new ModelSpec(ModelZoo.SimpleVit, ImageSize: 64),
        _ => throw new ArgumentException($"fixture model '{fixtureName}' has no ModelZoo mapping; add it here"),
    };

    public static string WeightsPath(string fixtureName) => SharedFixtures.Path($"fixtures/models/{fixtureName}.weights.safetensors");

    /// <summary>A model with the reference weights (float16 in the file, upcast), loaded strictly.</summary>
    public static nn.Module<Tensor, Tensor> Load(string fixtureName)
    {
        var model = ModelZoo.Create(Spec(fixtureName));
        StateDictLoader.Load(model, SafetensorsFile.Load(WeightsPath(fixtureName)), Path.GetFileName(WeightsPath(fixtureName)));
        return model;
    }

    /// <summary>The cases a fixture folder holds, as (model, case) pairs read from file names <c>&lt;model&gt;.&lt;case&gt;.&lt;ext&gt;</c>.</summary>
    public static TheoryData<string, string> Cases(string folder, string extension)
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(SharedFixtures.Path($"fixtures/{folder}"), "*." + extension).Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileName(file).Split('.');
            if (parts.Length == 3 && parts[1].StartsWith("case", StringComparison.Ordinal)) data.Add(parts[0], parts[1]);
        }
        return data;
    }
}
