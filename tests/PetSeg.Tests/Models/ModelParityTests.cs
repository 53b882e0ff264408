using PetSeg.Compute;
using System.Text.Json;
using PetSeg.Models;
using PetSeg.Models.Lab;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using PetSeg.Models.Hooks;

namespace PetSeg.Tests.Models;

/// <summary>Same weights, same input → the same logits as PyTorch (fixtures from ../shared/fixtures/models).</summary>
[Collection(TorchGlobalState.Name)]
public sealed class ModelParityTests
{
    /// <summary>Every case the fixture folder holds (<c>&lt;model&gt;.&lt;case&gt;.safetensors</c>).</summary>
    public static TheoryData<string, string> Cases() => FixtureModels.Cases("models", "safetensors");

    private static nn.Module<Tensor, Tensor> Build(string name) => ModelZoo.Create(FixtureModels.Spec(name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Keys_and_logits_match_pytorch(string name, string caseName)
    {
        using var scope = NewDisposeScope();
        var model = Build(name);
        var keys = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path($"fixtures/models/{name}.keys.json"))).RootElement;
        var expected = keys.GetProperty("keys").EnumerateArray()
            .ToDictionary(k => k.GetProperty("key").GetString()!, k => string.Join(",", k.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())));
        var actual = model.state_dict().ToDictionary(p => p.Key, p => string.Join(",", p.Value.shape));
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(keys.GetProperty("num_parameters").GetInt64(), model.parameters().Sum(p => p.numel()));

        StateDictLoader.Load(model, SafetensorsFile.Load(SharedFixtures.Path($"fixtures/models/{name}.weights.safetensors")), $"{name}.weights.safetensors");
        model.eval();
        var case1 = SafetensorsFile.Load(SharedFixtures.Path($"fixtures/models/{name}.{caseName}.safetensors"));
        using var noGrad = no_grad();
        var logits = model.call(case1["input"]);
        var want = case1["logits"];
        Assert.Equal(want.shape, logits.shape);
        double tolerance = 1e-4 * Math.Max(1, want.abs().max().item<float>());
        double diff = logits.Minus(want).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"{name}/{caseName}: max |Δlogit| = {diff:E2} > {tolerance:E2}; {FirstDivergence(name, caseName, model, case1["input"])}");
        double agreement = (logits.argmax(1) == want.argmax(1)).to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(agreement >= 0.999, $"{name}: argmax agrees on {agreement:P3} of pixels");
    }

    /// <summary>Walks the PyTorch sub-module outputs in forward order and names the first one our model does not reproduce.</summary>
    internal static string FirstDivergence(string name, string caseName, nn.Module<Tensor, Tensor> model, Tensor input)
    {
        if (model is not ITraceable traceable) return "model cannot be traced";
        var debugFile = SharedFixtures.Path($"fixtures/models/{name}.{caseName}.debug.safetensors");
        if (!File.Exists(debugFile)) return $"no {Path.GetFileName(debugFile)} to trace with";
        using var scope = NewDisposeScope();
        var debug = SafetensorsFile.Load(debugFile);
        foreach (var (sub, output) in traceable.Trace(input[..1]))
        {
            if (!debug.TryGetValue(sub, out var reference)) continue;
            if (!reference.shape.SequenceEqual(output.shape))
                return $"first divergence at '{sub}': shape [{string.Join(",", output.shape)}] vs PyTorch [{string.Join(",", reference.shape)}]";
            double d = output.Minus(reference).abs().max().item<float>();
            double tol = 1e-4 * Math.Max(1, reference.abs().max().item<float>());
            if (d > tol) return $"first divergence at '{sub}': max |Δ| = {d:E2} (tolerance {tol:E2})";
        }
        return "every traced sub-module matches; the difference is in the last step";
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

    [Fact]
    public void A_divergence_is_traced_to_the_first_sub_module_that_differs()
    {
        using var scope = NewDisposeScope();
        var model = Build("unet_resnet34");
        var sd = SafetensorsFile.Load(SharedFixtures.Path("fixtures/models/unet_resnet34.weights.safetensors"));
        sd["decoder.blocks.2.conv1.1.bias"] = sd["decoder.blocks.2.conv1.1.bias"].to_type(ScalarType.Float32).add(Scalars.Of(0.5), Scalars.One);
        StateDictLoader.Load(model, sd, "perturbed");
        model.eval();
        using var noGrad = no_grad();
        var input = SafetensorsFile.Load(SharedFixtures.Path("fixtures/models/unet_resnet34.case1.safetensors"))["input"];
        Assert.StartsWith("first divergence at 'decoder'", FirstDivergence("unet_resnet34", "case1", model, input));
    }

    [Fact]
    public void Segformer_refuses_input_not_divisible_by_32_with_a_clear_message()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => new Segformer().call(zeros(1, 3, 48, 64)));
        Assert.Contains("divisible by 32", e.Message);
    }
}
