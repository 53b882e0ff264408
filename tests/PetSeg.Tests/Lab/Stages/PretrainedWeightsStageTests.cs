using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Models.Encoders;
using PetSeg.Models.Smp;
using PetSeg.Models.Weights;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Runner;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Lab.Stages;

/// <summary>
/// <c>weights.source: pretrain</c> (the demo profile's offline stand-in for ImageNet): each encoder is trained inside
/// its smp model on other synthetic pets and written in its ImageNet file's format.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class PretrainedWeightsStageTests : IDisposable
{
    private readonly TempDir _dir = new();

    private PipelineConfig Config(string folder, int epochs)
    {
        Directory.CreateDirectory(_dir[folder]);
        File.WriteAllText(_dir[$"{folder}/pipeline.yaml"], $$"""
            artifacts: out
            dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
            preprocess: { image_size: 32 }
            weights: { source: pretrain, pretrain: { count: 16, seed: 5, epochs: {{epochs}}, batch_size: 4 } }
            experiments:
              unet-untrained: { model: unet-resnet34, epochs: 0 }
            """);
        return PipelineConfigLoader.Load(_dir[$"{folder}/pipeline.yaml"]);
    }

    [Fact]
    public void Encoders_are_trained_on_other_pets_deterministically_and_load_like_imagenet_files()
    {
        var log = new ProgressLines();
        var runs = LabPipeline.Runner(Config("a", 1), log).Run("weights");
        Assert.Contains(runs, r => r.Stage == "weights" && r.Outcome == StageOutcome.Executed);
        Assert.Contains(log.All, l => l.Contains("pretraining resnet34 inside unet-resnet34 on 8 synthetic pets", StringComparison.Ordinal));
        var file = _dir["a/out/data/downloads/weights/pretrain/resnet34-b627a593.pth"];
        Assert.True(File.Exists(file));
        // The scratch pets and the pretraining run are gone: only the weights file is left behind.
        Assert.Empty(Directory.GetDirectories(_dir["a/out"], "pets", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetDirectories(_dir["a/out"], "run-resnet34", SearchOption.AllDirectories));
        Assert.Equal([file], Directory.GetFiles(_dir["a/out/data/downloads/weights/pretrain"]));

        // Loads strictly into the encoder as an ImageNet file does (fc.* dropped), and training moved the weights
        // away from the initialisation the same seed gives.
        using var scope = NewDisposeScope();
        var info = EncoderRegistry.Get(EncoderRegistry.ResNet34);
        manual_seed(5);
        var initial = new Unet().Encoder.state_dict()["layer1.0.conv1.weight"].clone();
        var unet = new Unet();
        EncoderWeights.LoadInto(unet.Encoder, info, file);
        var trained = unet.Encoder.state_dict();
        Assert.False(trained["layer1.0.conv1.weight"].equal(initial).all().item<bool>());
        Assert.NotEqual(0f, trained["bn1.running_mean"].abs().sum().item<float>()); // BatchNorm statistics saw the pets

        // Same settings in another workspace: the same bytes; more epochs: another key (the stage is stale, saying why).
        LabPipeline.Runner(Config("b", 1), NullProgressSink.Instance).Run("weights");
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(_dir["b/out/data/downloads/weights/pretrain/resnet34-b627a593.pth"]));
        var longer = LabPipeline.Runner(Config("b", 2), NullProgressSink.Instance).Status().Single(s => s.Stage == "weights");
        Assert.Equal(Freshness.Stale, longer.State);
        Assert.Contains(longer.Reasons, r => r.Contains("epochs=1", StringComparison.Ordinal) && r.Contains("epochs=2", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_pretrain_key_is_named_with_its_line()
    {
        Directory.CreateDirectory(_dir["c"]);
        File.WriteAllText(_dir["c/pipeline.yaml"], "weights:\n  source: pretrain\n  pretrain: { count: 16, epoch: 2 }\n");
        var e = Assert.Throws<ConfigException>(() => PipelineConfigLoader.Load(_dir["c/pipeline.yaml"]));
        Assert.Contains("pipeline.yaml:3", e.Message);
        Assert.Contains("epoch", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
