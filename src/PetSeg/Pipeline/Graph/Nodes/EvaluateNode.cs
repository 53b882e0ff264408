using PetSeg.Data.Cache;
using PetSeg.Metrics;
using PetSeg.Pipeline.Config;
using PetSeg.Reporting;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Evaluation;

namespace PetSeg.Pipeline.Graph.Nodes;

/// <summary>Evaluates a trained (or 0-epoch) model on the test split: metrics.json and a grid of sample predictions.</summary>
public sealed class EvaluateNode(PipelineConfig config, ExperimentConfig experiment) : Stage
{
    public ExperimentConfig Experiment => experiment;
    public override string Id => $"evaluate-{experiment.Id}";
    public override string Kind => "evaluate";
    public override string CodeVersion => Pipeline.Stages.CodeVersion.Evaluate;
    public string TrainStage => $"train-{experiment.Id}";
    public override IReadOnlyList<string> DependsOn => ["preprocess", TrainStage];

    public override SortedDictionary<string, string> Parameters => new(StringComparer.Ordinal)
    {
        ["experiment"] = experiment.Id,
        ["batch_size"] = experiment.Settings.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["sample_predictions"] = config.Report.SamplePredictions.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override bool UsesInput(string dependency, string output) =>
        dependency == "preprocess" ? output == "test.petc" : output == "model.ckpt";

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var (model, info) = TrainingCheckpoint.LoadModel(c.Input(TrainStage, "model.ckpt").Path);
        using var _ = model;
        using var test = TensorCache.Open(c.Input("preprocess", "test.petc").Path);
        var metrics = Evaluator.Run(model, test, info.Model.Classes, experiment.Settings.BatchSize, c.Ui, c.Cancellation);
        c.Ui.Info($"{Id}: pixel error {metrics.PixelError:F4}, F1 (weighted) {metrics.F1Weighted:F4}, mean IoU {metrics.MeanIoU:F4} over {metrics.ValidPixels:N0} pixels");

        var outputs = new Dictionary<string, StageOutput>();
        var file = MetricsFile.Write(Path.Combine(c.OutputDir, "metrics.json"), new MetricsRecord(
            experiment.Id, experiment.Title, experiment.Settings.Seed, c.Dependencies[TrainStage].Key, info.Epoch, metrics));
        outputs["metrics.json"] = new StageOutput(file, c.Digests.Of(file));
        if (config.Report.SamplePredictions > 0)
        {
            var grid = PredictionGrid.Write(Path.Combine(c.OutputDir, "predictions.png"), model, test, config.Report.SamplePredictions);
            outputs["predictions.png"] = new StageOutput(grid, c.Digests.Of(grid));
        }
        return outputs;
    }
}
