using PetSeg.Lab;
using PetSeg.Metrics;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab.Stages;

/// <summary><c>eval_precision: bf16</c>: the same trained weights evaluated in bfloat16, as its own evaluate stage.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class Bfloat16EvaluationTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Bf16_evaluation_shares_the_training_and_gives_the_fp32_metrics_within_bf16_rounding()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace(
            "  tiny: { model: simple-unet, lr: 0.001 }",
            "  tiny: { model: simple-unet, lr: 0.001 }\n  tiny-bf16: { model: simple-unet, lr: 0.001, eval_precision: bf16 }\n  unet-bf16: { model: unet-resnet34, epochs: 0, eval_precision: bf16 }"));
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        var log = new ProgressLines();
        var runs = LabPipeline.Runner(config, log).Run("report");
        var keys = runs.ToDictionary(r => r.Stage, r => r.Key);
        Assert.Equal(keys["train-tiny"], keys["train-tiny-bf16"]); // one training, two evaluations
        Assert.NotEqual(keys["evaluate-tiny"], keys["evaluate-tiny-bf16"]);
        Assert.Contains(log.All, l => l.StartsWith("evaluate-tiny-bf16: evaluating a bfloat16 copy", StringComparison.Ordinal));
        Assert.DoesNotContain(log.All, l => l.StartsWith("evaluate-tiny: evaluating a bfloat16", StringComparison.Ordinal));
        // On a CPU that emulates bf16 the stage says so (and only the bf16 evaluation does).
        Assert.Equal(!PetSeg.Core.Bfloat16Hardware.IsAccelerated, log.All.Any(l => l.StartsWith("evaluate-tiny-bf16: warning: eval_precision bf16", StringComparison.Ordinal)));
        Assert.DoesNotContain(log.All, l => l.StartsWith("evaluate-tiny: warning", StringComparison.Ordinal));

        MetricsRecord Metrics(string stage) => MetricsFile.Read(Directory.GetFiles(_dir["out/store/objects"], "metrics.json", SearchOption.AllDirectories)
            .Single(f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(f)!, "entry.json")).Contains($"\"{stage}\"", StringComparison.Ordinal)));
        var fp32 = Metrics("evaluate-tiny").Metrics;
        var bf16 = Metrics("evaluate-tiny-bf16").Metrics;
        Assert.InRange(Math.Abs(fp32.MeanIoU - bf16.MeanIoU), 0, 0.02);
        Assert.Equal(fp32.ValidPixels, bf16.ValidPixels);
        Assert.False(double.IsNaN(Metrics("evaluate-unet-bf16").Metrics.MeanIoU)); // the smp models run in bf16 too
    }

    [Fact]
    public void Converting_to_bf16_lays_convolution_weights_out_channels_last_and_predicts_the_fp32_classes()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        TorchSharp.torch.manual_seed(3);
        var model = PetSeg.Models.ModelZoo.Create(new PetSeg.Models.ModelSpec(PetSeg.Models.ModelZoo.SimpleUnet, ImageSize: 32));
        var images = TorchSharp.torch.randint(0, 256, [2, 3, 32, 32], dtype: TorchSharp.torch.ScalarType.Byte);
        var fp32 = PetSeg.Inference.ClassPredictor.PredictClasses(model, images);
        PetSeg.Models.Layers.Bfloat16.Convert(model);
        Assert.True(PetSeg.Models.Layers.Bfloat16.IsBfloat16(model));
        var conv = model.named_parameters().First(p => p.parameter.dim() == 4).parameter;
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, conv.dtype);
        Assert.Equal(1, conv.stride(1)); // channels-last: the channel is the innermost dimension
        var bf16 = PetSeg.Inference.ClassPredictor.PredictClasses(model, images);
        Assert.True(fp32.eq(bf16).to_type(TorchSharp.torch.ScalarType.Float32).mean().item<float>() > 0.95f); // bf16 rounding flips few pixels
    }

    public void Dispose() => _dir.Dispose();
}
