using PetSeg.Core;
using PetSeg.Lab;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Runner;
using static TorchSharp.torch;

namespace PetSeg.Tests.Lab;

/// <summary><c>ema:</c> through the pipeline: the train stage publishes the average and keeps the trained weights beside the optimizer's state.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class WeightAverageTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void The_train_stage_publishes_the_average_and_keeps_the_trained_weights_it_would_have_published_without()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }",
            "tiny: { model: simple-unet, lr: 0.001, epochs: 2 }\n  averaged: { model: simple-unet, lr: 0.001, epochs: 2, ema: 0.9 }", StringComparison.Ordinal));
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run("train");

        using var scope = NewDisposeScope();
        var plain = SafetensorsFile.Load(EntryFile(runs, "train-tiny", TrainingCheckpoint.WeightsFile));
        var averaged = SafetensorsFile.Load(EntryFile(runs, "train-averaged", TrainingCheckpoint.WeightsFile));
        var state = SafetensorsFile.Load(EntryFile(runs, "train-averaged", TrainingCheckpoint.StateFile));
        Assert.Equal(plain.Keys.Order(StringComparer.Ordinal), averaged.Keys.Order(StringComparer.Ordinal)); // loadable as the plain weights are
        Assert.All(plain, p => Assert.Equal(p.Value.bytes.ToArray(), state["trained/" + p.Key].bytes.ToArray())); // trained exactly as without ema
        Assert.Contains(plain, p => p.Value.is_floating_point() && !p.Value.eq(averaged[p.Key]).all().item<bool>());
        Assert.Equal(File.ReadAllText(EntryFile(runs, "train-tiny", "losses.json")).Replace("\"tiny\"", "", StringComparison.Ordinal),
            File.ReadAllText(EntryFile(runs, "train-averaged", "losses.json")).Replace("\"averaged\"", "", StringComparison.Ordinal));
        Assert.Equal(0.9, TrainingCheckpoint.ReadInfo(EntryFile(runs, "train-averaged", TrainingCheckpoint.WeightsFile)).Ema);
        Assert.Contains("weights averaged (ema 0.9, ", File.ReadAllText(EntryFile(runs, "train-averaged", "train.log")), StringComparison.Ordinal);
    }

    private string EntryFile(IReadOnlyList<StageRun> runs, string stage, string name) => StoreEntryFiles.Of(_dir["out/store/objects"], runs, stage, name);

    public void Dispose() => _dir.Dispose();
}
