using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Metrics;
using PetSeg.Lab.Config;
using PetSeg.Reporting;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using PetSeg.Inference;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Evaluates a trained (or 0-epoch) model on the test split: metrics.json and grids of sample predictions; and, when its
/// training held images out (<c>validation:</c>), on those too, which is what a choice among runs is made on.
/// </summary>
public sealed class EvaluateStage(PipelineConfig config, ExperimentConfig experiment) : Stage
{
    public override string Id => StageIds.Evaluate(experiment.Id);
    public override string Kind => StageIds.EvaluateKind;
    public override string? Group => StageIds.EvaluateKind;
    public override bool Computes => true;
    public override string DeviceSetting => experiment.Device ?? config.Compute.Device;
    public override string CodeVersion => StageVersions.Evaluate;
    public string TrainStage => StageIds.Train(experiment.Id);
    /// <summary>Scoring at the images' own size reads the dataset's masks as they are, from the download stage's output.</summary>
    public override IReadOnlyList<string> DependsOn => experiment.NativeMetrics ? [StageIds.Download, StageIds.Preprocess, TrainStage] : [StageIds.Preprocess, TrainStage];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["experiment"] = experiment.ExperimentId,
                ["batch_size"] = CanonicalParams.Of(experiment.Settings.BatchSize),
                ["sample_predictions"] = CanonicalParams.Of(config.Report.SamplePredictions),
            };
            if (experiment.EvalPrecision == Precision.Bf16) p["precision"] = "bf16"; // absent = fp32, so existing keys stay valid
            if (experiment.Validation > 0) p["validation"] = CanonicalParams.Of(experiment.Validation); // absent = nothing held out, likewise
            if (experiment.Folds > 0) (p["folds"], p["fold"]) = (CanonicalParams.Of(experiment.Folds), CanonicalParams.Of(experiment.Fold)); // absent = no cross-validation, likewise
            if (experiment.ValidationByGroup) p["validation_by"] = "group"; // absent = by image, likewise
            if (experiment.Tta != TestTimeAugmentation.None) p["tta"] = experiment.Tta.Name(); // absent = none, likewise
            if (experiment.NativeMetrics) p["native_metrics"] = "true"; // absent = scored at the cache's size only, likewise
            if (experiment.Overlap > 0) p["overlap"] = CanonicalParams.Of(experiment.Overlap); // absent = the grid of tiles, likewise
            return p;
        }
    }

    /// <summary>The weights are named by kind, not by the training's stage id, so a run renamed when seeds are added keeps its key.</summary>
    public override string InputName(string dependency, string output) => dependency == TrainStage ? $"{StageIds.TrainKind}/{output}" : base.InputName(dependency, output);

    public override bool UsesInput(string dependency, string output) => dependency switch
    {
        StageIds.Preprocess => output == PreprocessStage.OutputName("test") || (experiment.HoldsOut && output == PreprocessStage.OutputName("trainval")),
        StageIds.Download => output == DownloadStage.DatasetOutput,
        _ => output == TrainingCheckpoint.WeightsFile,
    };

    /// <summary>pipeline.lock records the headline metrics, so <c>exp show</c> and <c>metrics diff REV</c> need only the lock file.</summary>
    public override SortedDictionary<string, string>? Summary(StoreEntry entry) =>
        entry.Outputs.ContainsKey(MetricsName) && MetricsFile.Read(entry.OutputPath(MetricsName)) is var r ? HeadlineMetrics.Strings(r.Metrics, r.Validation?.Metrics, r.Native?.Metrics) : null;

    public const string MetricsName = "metrics.json";

    /// <summary>Metrics that differ are told by what moved (mean IoU from what to what, pixels that changed class), for <c>run --check</c>.</summary>
    public override string? Difference(string output, string storedPath, string recomputedPath) =>
        output == MetricsName ? MetricsDifference.Describe(MetricsFile.Read(storedPath), MetricsFile.Read(recomputedPath)) : null;
    public const string PerImageFile = "per-image-iou.json", BestGrid = "predictions-best.png", WorstGrid = "predictions-worst.png";

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var (evaluated, info) = EvaluatedModel.Load(c.Input(TrainStage, TrainingCheckpoint.WeightsFile).Path, experiment, c.Device);
        using var model = evaluated;
        if (experiment.Tta != TestTimeAugmentation.None) c.Ui.Info($"{Id}: {experiment.Tta.Describe()}");
        if (experiment.EvalPrecision == Precision.Bf16)
        {
            c.Ui.Info($"{Id}: evaluating a bfloat16 copy of the trained weights (eval_precision: bf16)");
            if (Bfloat16Hardware.WarningFor("eval_precision") is { } warning) c.Ui.Info($"{Id}: {warning}");
        }
        using var test = TensorCache.Open(c.Input(StageIds.Preprocess, PreprocessStage.OutputName("test")).Path);
        var perImage = new List<double>();
        var ownSize = OwnSizeScoring.For(config, c, test, info.Model.Classes, experiment);
        var metrics = Evaluator.Run(model, test, info.Model.Classes, experiment.Settings.BatchSize, c.Ui, perImage, c.Cancellation, ownSize?.DuringEvaluation);
        c.Ui.Info($"{Id}: pixel error {metrics.PixelError:F4}, F1 (weighted) {metrics.F1Weighted:F4}, mean IoU {metrics.MeanIoU:F4}, Dice {metrics.Dice:F4} over {metrics.ValidPixels:N0} pixels");
        var nativeMetrics = ownSize?.Result(Id, model);

        HeldOutMetrics? validation = null;
        if (experiment.HoldsOut)
        {
            using var trainval = TensorCache.Open(c.Input(StageIds.Preprocess, PreprocessStage.OutputName("trainval")).Path);
            var held = experiment.HoldOut(trainval).Validation!;
            var v = Evaluator.Run(model, held, info.Model.Classes, experiment.Settings.BatchSize, c.Ui, "validate", c.Cancellation);
            validation = new HeldOutMetrics(held.Count, v);
            var which = experiment.Folds > 0 ? $" (fold {experiment.Fold} of {experiment.Folds})" : "";
            c.Ui.Info($"{Id}: on the {SampleCount.Of(held)} held out of training for validation{which}: mean IoU {v.MeanIoU:F4}, Dice {v.Dice:F4}, pixel error {v.PixelError:F4}");
        }

        var outputs = new Dictionary<string, StageOutput>();
        var file = MetricsFile.Write(Path.Combine(c.OutputDir, MetricsName), new MetricsRecord(
            experiment.ExperimentId, experiment.Title, experiment.Settings.Seed, c.Dependencies[TrainStage].Key, info.Epoch, metrics) { Validation = validation, Native = nativeMetrics });
        outputs[MetricsName] = c.Output(file);
        outputs[PerImageFile] = c.Output(PerImageIoU.Write(Path.Combine(c.OutputDir, PerImageFile),
            perImage.Select((v, i) => new ImageIoU(test.Entries[i].Name, double.IsNaN(v) ? null : v)).ToList()));
        if (config.Report.SamplePredictions > 0)
        {
            // The images this model segments best and worst teach more than the first few.
            var (best, worst) = PerImageIoU.BestAndWorst(perImage, config.Report.SamplePredictions);
            if (best.Length > 0)
            {
                outputs[BestGrid] = c.Output(PredictionGrid.Write(Path.Combine(c.OutputDir, BestGrid), model, test, best, info.Model.Classes));
                outputs[WorstGrid] = c.Output(PredictionGrid.Write(Path.Combine(c.OutputDir, WorstGrid), model, test, worst, info.Model.Classes));
            }
        }
        return outputs;
    }
}
