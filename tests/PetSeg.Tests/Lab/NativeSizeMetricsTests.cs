using PetSeg.Core;
using PetSeg.Data.Dataset;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Metrics;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Store;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>native_metrics: true</c>: the test split scored at each image's own size is the score of the masks
/// <c>predict</c> writes against the dataset's own masks; an evaluation setting, so adding it retrains nothing.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class NativeSizeMetricsTests : IDisposable
{
    private readonly TempDir _dir = new();

    private IReadOnlyList<StageRun> Run(string yaml, string target = "report")
    {
        File.WriteAllText(_dir["pipeline.yaml"], yaml);
        return LabPipeline.Runner(PipelineConfigLoader.Load(_dir["pipeline.yaml"]), NullProgressSink.Instance).Run(target);
    }

    /// <summary>What predict's masks score against the dataset's masks, every test image at its own size, counted here.</summary>
    internal static SegmentationMetrics ScoreOfPredict(string pipelineYaml, string experiment, string datasetRoot, double overlap = 0)
    {
        var config = PipelineConfigLoader.Load(pipelineYaml);
        using var loaded = PredictionModel.Load(TrainedExperiment.Find(config, LabPipeline.Runner(config, NullProgressSink.Instance), experiment).WeightsPath);
        var counts = new ConfusionMatrix(loaded.Spec.Classes);
        foreach (var sample in OxfordPetDataset.Open(datasetRoot, "test").Samples)
        {
            var predicted = Predictor.Predict(loaded.Model, sample.ImagePath, loaded.Spec.ImageSize, loaded.Spec.TileScale, overlap);
            counts.Add(predicted.Mask, OxfordPetDataset.LoadMask(sample).Pixels);
        }
        return SegmentationMetrics.From(counts);
    }

    [Fact]
    public void Native_metrics_score_the_masks_predict_writes_and_retrain_nothing()
    {
        var plain = Run(TinyPipeline.Yaml);
        var plainMetrics = File.ReadAllText(StoreEntryFiles.Of(_dir["out/store/objects"], plain, "evaluate-untrained", "metrics.json"));
        Assert.DoesNotContain("native", plainMetrics); // the lab's metrics.json as it was

        var yaml = TinyPipeline.Yaml.Replace("untrained: { model: segformer-mit_b0, epochs: 0 }", "untrained: { model: segformer-mit_b0, epochs: 0, native_metrics: true }", StringComparison.Ordinal);
        var runs = Run(yaml);
        Assert.Equal(StageOutcome.CacheHit, runs.Single(r => r.Stage == "train-untrained").Outcome);
        Assert.Equal(StageOutcome.Executed, runs.Single(r => r.Stage == "evaluate-untrained").Outcome);
        Assert.Equal(StageOutcome.CacheHit, runs.Single(r => r.Stage == "evaluate-tiny").Outcome); // only the experiment that asks

        var record = MetricsFile.Read(StoreEntryFiles.Of(_dir["out/store/objects"], runs, "evaluate-untrained", "metrics.json"));
        Assert.Equal(MetricsFile.Read(StoreEntryFiles.Of(_dir["out/store/objects"], plain, "evaluate-untrained", "metrics.json")).Metrics.ConfusionMatrix, record.Metrics.ConfusionMatrix);
        var native = Assert.IsType<NativeSizeMetrics>(record.Native);
        var expected = ScoreOfPredict(_dir["pipeline.yaml"], "untrained", _dir["out/data/synthetic-pet"]);
        Assert.All(expected.ConfusionMatrix.SelectMany(row => row), n => Assert.True(n > 0)); // both classes predicted, right and wrong: a score that can differ
        Assert.Equal(expected.ConfusionMatrix, native.Metrics.ConfusionMatrix);
        Assert.Equal(expected.MeanIoU, native.Metrics.MeanIoU, 12);
        Assert.Equal(OxfordPetDataset.Open(_dir["out/data/synthetic-pet"], "test").Samples.Count, native.Images);
        Assert.True(native.Metrics.ValidPixels > record.Metrics.ValidPixels); // 40–48 px images, scored at 32² in the cache

        var locked = PipelineLock.Read(_dir["pipeline.lock"]).Stages["evaluate-untrained"].Metrics!;
        Assert.Equal(native.Metrics.MeanIoU, double.Parse(locked["native_mean_iou"], System.Globalization.CultureInfo.InvariantCulture), 15);
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Matches(@"\| untrained \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \|", report);
        Assert.Contains("| Experiment | mean IoU at 32×32 | mean IoU | Dice | F1 (weighted) | pixel error | images |", report);

        var (exit, log) = CliProcess.Run("exp", "show", "--sort", "native_mean_iou", "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("native_mean_iou", log);
    }

    public void Dispose() => _dir.Dispose();
}
