using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Metrics;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Runner;

namespace PetSeg.Tests.Lab;

/// <summary><c>tta: hflip</c> through the pipeline: an evaluation setting, so adding it re-evaluates and trains nothing (the untrained Segformer: its masks are not mirror-symmetric).</summary>
[Collection(TorchGlobalState.Name)]
public sealed class TestTimeAugmentationTests : IDisposable
{
    private readonly TempDir _dir = new();

    private IReadOnlyList<StageRun> Run(string yaml, IProgressSink ui, string target = "evaluate-untrained")
    {
        File.WriteAllText(_dir["pipeline.yaml"], yaml);
        return LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), ui).Run(target);
    }

    [Fact]
    public void Adding_tta_reevaluates_without_retraining_and_scores_the_flip_averaged_model()
    {
        var plain = Run(TinyPipeline.Yaml, NullProgressSink.Instance);
        var ui = new ProgressLines();
        var flip = Run(TinyPipeline.Yaml.Replace("untrained: { model: segformer-mit_b0, epochs: 0 }", "untrained: { model: segformer-mit_b0, epochs: 0, tta: hflip }", StringComparison.Ordinal), ui);

        Assert.Equal(StageOutcome.CacheHit, flip.Single(r => r.Stage == "train-untrained").Outcome); // the same training
        Assert.Equal(StageOutcome.Executed, flip.Single(r => r.Stage == "evaluate-untrained").Outcome);
        Assert.NotEqual(plain.Single(r => r.Stage == "evaluate-untrained").Key, flip.Single(r => r.Stage == "evaluate-untrained").Key);
        Assert.Contains(ui.All, l => l.StartsWith("evaluate-untrained: test-time augmentation: the mean of each image's logits and its mirror image's", StringComparison.Ordinal));

        // What it recorded is what the flip-averaged trained model scores on the test split.
        var recorded = MetricsFile.Read(EntryFile(flip, "evaluate-untrained", "metrics.json")).Metrics;
        var (model, _) = TrainingCheckpoint.LoadModel(EntryFile(flip, "train-untrained", TrainingCheckpoint.WeightsFile));
        using var tta = new FlipAveraged(model);
        using var test = TensorCache.Open(Directory.GetFiles(_dir["out"], "test.petc", SearchOption.AllDirectories).Single());
        var expected = Evaluator.Run(tta, test, 2, 4, NullProgressSink.Instance);
        Assert.Equal(expected.ConfusionMatrix, recorded.ConfusionMatrix);
        Assert.Equal(expected.MeanIoU, recorded.MeanIoU);
        // This model's predictions are not mirror-symmetric, so the test tells a flip-averaged evaluation from a plain one.
        Assert.NotEqual(MetricsFile.Read(EntryFile(plain, "evaluate-untrained", "metrics.json")).Metrics.ConfusionMatrix, recorded.ConfusionMatrix);

        // The report says which figures were scored so (its metadata; the lab's tables stay the lab's).
        Run(File.ReadAllText(_dir["pipeline.yaml"]), NullProgressSink.Instance, "report");
        Assert.Contains("\n- evaluation: the mean of each image's and its mirror's logits (tta: hflip) for untrained\n", File.ReadAllText(_dir["out/report/report.md"]));
    }

    private string EntryFile(IReadOnlyList<StageRun> runs, string stage, string name) => StoreEntryFiles.Of(_dir["out/store/objects"], runs, stage, name);

    public void Dispose() => _dir.Dispose();
}
