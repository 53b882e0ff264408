using System.Text.Json;
using PetSeg.Models.Lab;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Models;

/// <summary>Same weights, same input → the same logits as PyTorch (fixtures from ../shared/fixtures/models).</summary>
[Collection(TorchGlobalState.Name)]
public sealed class LabModelParityTests
{
    public static TheoryData<string> Models() => ["simple_unet", "simple_vit"];

    private static nn.Module<Tensor, Tensor> Build(string name) => name switch
    {
        "simple_unet" => new SimpleUNet(3, 2),
        "simple_vit" => new SimpleViTSegmentation(imageSize: 64, patchSize: 16, numClasses: 2, dim: 128, depth: 3, numHeads: 4, mlpRatio: 4),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Keys_and_logits_match_pytorch(string name)
    {
        using var scope = NewDisposeScope();
        var model = Build(name);
        var keys = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path($"fixtures/models/{name}.keys.json"))).RootElement;
        var expectedKeys = keys.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedKeys, model.state_dict().Keys.Order(StringComparer.Ordinal).ToList());

        StateDictLoader.Load(model, SafetensorsFile.Load(SharedFixtures.Path($"fixtures/models/{name}.weights.safetensors")), $"{name}.weights.safetensors");
        model.eval();
        var case1 = SafetensorsFile.Load(SharedFixtures.Path($"fixtures/models/{name}.case1.safetensors"));
        using var noGrad = no_grad();
        var logits = model.call(case1["input"]);
        var want = case1["logits"];
        Assert.Equal(want.shape, logits.shape);
        double maxAbs = want.abs().max().item<float>();
        double diff = (logits - want).abs().max().item<float>();
        Assert.True(diff <= 1e-4 * Math.Max(1, maxAbs), $"{name}: max |Δlogit| = {diff:E2} (tolerance {1e-4 * Math.Max(1, maxAbs):E2})");
    }

    [Fact]
    public void A_file_for_another_model_is_refused_with_every_problem_listed()
    {
        using var scope = NewDisposeScope();
        var sd = SafetensorsFile.Load(SharedFixtures.Path("fixtures/models/simple_unet.weights.safetensors"));
        sd["extra.weight"] = zeros(3);
        sd.Remove("out_conv.bias");
        sd["conv1.0.weight"] = zeros(32, 4, 3, 3);
        var e = Assert.Throws<WeightsMismatchException>(() => StateDictLoader.Load(new SimpleUNet(3, 2), sd, "bad.safetensors"));
        Assert.Contains("conv1.0.weight: file has [32, 4, 3, 3], model has [32, 3, 3, 3]", e.Message);
        Assert.Contains("missing key(s)", e.Message);
        Assert.Contains("out_conv.bias", e.Message);
        Assert.Contains("unexpected key(s)", e.Message);
        Assert.Contains("extra.weight", e.Message);
    }
}
