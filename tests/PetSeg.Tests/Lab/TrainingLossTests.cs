using System.Text.Json;
using PetSeg.Core;
using PetSeg.Lab;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Runner;

namespace PetSeg.Tests.Lab;

/// <summary><c>loss:</c> through the pipeline: a run trained on Dice says so, records Dice's values, and is evaluated as any other.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class TrainingLossTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void A_dice_run_trains_from_the_same_start_on_its_own_loss_and_is_evaluated_like_the_others()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }",
            "tiny: { model: simple-unet, lr: 0.001 }\n  dice: { model: simple-unet, lr: 0.001, loss: dice }", StringComparison.Ordinal));
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run("evaluate");

        Assert.Contains(" loss: Dice (smp's DiceLoss) (the losses below are its values, not cross-entropy's)\n", File.ReadAllText(EntryFile(runs, "train-dice", "train.log")), StringComparison.Ordinal);
        Assert.DoesNotContain(" loss: ", File.ReadAllText(EntryFile(runs, "train-tiny", "train.log")), StringComparison.Ordinal);
        double[] Losses(string stage) => JsonDocument.Parse(File.ReadAllText(EntryFile(runs, stage, "losses.json"))).RootElement
            .GetProperty("batch_losses").EnumerateArray().SelectMany(e => e.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        var (ce, dice) = (Losses("train-tiny"), Losses("train-dice"));
        Assert.Equal(ce.Length, dice.Length);
        Assert.All(dice, l => Assert.InRange(l, 0, 1)); // 1 − a mean of dice scores
        Assert.NotEqual(ce[0], dice[0]); // the same model and first batch, another objective
        Assert.NotEqual(File.ReadAllBytes(EntryFile(runs, "train-tiny", TrainingCheckpoint.WeightsFile)), File.ReadAllBytes(EntryFile(runs, "train-dice", TrainingCheckpoint.WeightsFile)));
        var metrics = JsonDocument.Parse(File.ReadAllText(EntryFile(runs, "evaluate-dice", "metrics.json"))).RootElement;
        Assert.InRange(metrics.GetProperty("metrics").GetProperty("mean_iou").GetDouble(), 0, 1);
    }

    private string EntryFile(IReadOnlyList<StageRun> runs, string stage, string name) => StoreEntryFiles.Of(_dir["out/store/objects"], runs, stage, name);

    public void Dispose() => _dir.Dispose();
}
