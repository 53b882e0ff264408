using PetSeg.Core;
using PetSeg.Lab;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Runner;
using static TorchSharp.torch;

namespace PetSeg.Tests.Lab;

/// <summary>
/// Another encoder is another model name (<c>unet-resnet50</c>, <c>segformer-mit_b1</c>, <c>unet-mit_b1</c>): the weights stage fetches
/// (here: writes) that encoder's ImageNet file under torchvision's or smp-hub's name, the run loads it into the encoder,
/// trains and is evaluated as the lab's models are.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class EncoderChoiceTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Other_encoders_get_their_imagenet_file_loaded_train_and_are_evaluated()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("untrained: { model: segformer-mit_b0, epochs: 0 }",
            "r18: { model: unet-resnet18 }\n  r50: { model: unet-resnet50, epochs: 0 }\n  b1: { model: segformer-mit_b1, epochs: 0 }\n  ub1: { model: unet-mit_b1, epochs: 0 }\n  s18: { model: segformer-resnet18, epochs: 0 }", StringComparison.Ordinal));
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run("evaluate");

        // Only the encoders the experiments use, each under its own file name.
        Assert.Equal(["mit_b1.safetensors", "resnet18-f37072fd.pth", "resnet50-0676ba61.pth"],
            Directory.GetFiles(_dir["out/data/downloads/weights/synthetic"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // An untrained run publishes the encoder exactly as its ImageNet file holds it (the classifier dropped).
        foreach (var (stage, file, classifier) in new[] { ("train-r50", "resnet50-0676ba61.pth", "fc."), ("train-b1", "mit_b1.safetensors", "head."), ("train-ub1", "mit_b1.safetensors", "head."), ("train-s18", "resnet18-f37072fd.pth", "fc.") })
        {
            using var scope = NewDisposeScope();
            var imagenet = PyTorchCheckpoint.Load(_dir["out/data/downloads/weights/synthetic/" + file]).Where(p => !p.Key.StartsWith(classifier, StringComparison.Ordinal)).ToList();
            var published = SafetensorsFile.Load(EntryFile(runs, stage, TrainingCheckpoint.WeightsFile));
            Assert.NotEmpty(imagenet);
            Assert.All(imagenet, p => Assert.True(p.Value.allclose(published["encoder." + p.Key], 0, 0), $"{stage}: encoder.{p.Key} is not the file's {p.Key}"));
        }
        Assert.Contains("encoder.layer4.2.conv3.weight", SafetensorsFile.Load(EntryFile(runs, "train-r50", TrainingCheckpoint.WeightsFile)).Keys); // a Bottleneck
        var r18 = SafetensorsFile.Load(EntryFile(runs, "train-r18", TrainingCheckpoint.WeightsFile)).Keys;
        Assert.Contains("encoder.layer4.1.conv2.weight", r18); // ResNet-18: two BasicBlocks a layer
        Assert.DoesNotContain("encoder.layer4.2.conv1.weight", r18);
        foreach (var id in new[] { "r18", "r50", "b1", "ub1", "s18" })
            Assert.Contains("\"mean_iou\"", File.ReadAllText(EntryFile(runs, "evaluate-" + id, "metrics.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_mit_model_refuses_an_image_size_its_encoder_cannot_take_and_a_misspelt_one_is_suggested()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("image_size: 32", "image_size: 48", StringComparison.Ordinal)
            .Replace("model: segformer-mit_b0", "model: segformer-mit_b2", StringComparison.Ordinal));
        var e = Assert.ThrowsAny<Exception>(() => PipelineConfigLoader.Load(_dir["pipeline.yaml"]));
        Assert.Contains("segformer-mit_b2 needs an image size divisible by 32 (its MiT encoder); preprocess.image_size is 48", e.Message);
        Assert.Contains("pipeline.yaml:8:", e.Message); // the experiment's model line

        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("image_size: 32", "image_size: 48", StringComparison.Ordinal)
            .Replace("model: segformer-mit_b0", "model: segformer-resnet18", StringComparison.Ordinal));
        Assert.Contains("segformer-resnet18 needs an image size divisible by 32 (Segformer's ×4 upsampled output)", Assert.ThrowsAny<Exception>(() => PipelineConfigLoader.Load(_dir["pipeline.yaml"])).Message);
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("image_size: 32", "image_size: 48", StringComparison.Ordinal)
            .Replace("model: segformer-mit_b0", "model: unet-resnet18", StringComparison.Ordinal));
        Assert.NotEmpty(PipelineConfigLoader.Load(_dir["pipeline.yaml"]).Experiments); // a Unet on a ResNet takes any size

        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("model: segformer-mit_b0", "model: unet-resnet51", StringComparison.Ordinal));
        e = Assert.ThrowsAny<Exception>(() => PipelineConfigLoader.Load(_dir["pipeline.yaml"]));
        Assert.Contains("unknown model 'unet-resnet51' (did you mean 'unet-resnet50'?)", e.Message);
    }

    private string EntryFile(IReadOnlyList<StageRun> runs, string stage, string name) => StoreEntryFiles.Of(_dir["out/store/objects"], runs, stage, name);

    public void Dispose() => _dir.Dispose();
}
