using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.Lab.Config;
using PetSeg.Metrics;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Evaluates an experiment's seeds (and, cross-validated, its folds: nnU-Net's way to use them) as one model (<c>ensemble: true</c>): the mean of their class probabilities
/// (<see cref="Ensemble"/>), each member scored as its own evaluation scores it (its <c>tta:</c>, its precision), on the
/// test split, in <c>metrics.json</c> as an evaluation writes it. The report sets it beside the seeds' mean and interval.
/// Its key is its members' weights (named by seed and fold) and how they are scored, not the stages' names.
/// </summary>
public sealed class EnsembleStage(PipelineConfig config, IReadOnlyList<ExperimentConfig> runs) : Stage
{
    private ExperimentConfig First => runs[0];

    public override string Id => StageIds.Ensemble(First.ExperimentId);
    public override string Kind => StageIds.EvaluateKind;
    public override string? Group => StageIds.EvaluateKind;
    public override bool Computes => true;
    public override string DeviceSetting => First.Device ?? config.Compute.Device;
    public override string CodeVersion => StageVersions.Ensemble;

    public override IReadOnlyList<string> DependsOn =>
        [.. First.NativeMetrics ? [StageIds.Download] : Array.Empty<string>(), StageIds.Preprocess, .. runs.Select(r => StageIds.Train(r.Id))];

    public override SortedDictionary<string, string> Parameters
    {
        get
        {
            var p = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["experiment"] = First.ExperimentId,
                ["seeds"] = string.Join(",", runs.Select(r => CanonicalParams.Of(r.Settings.Seed))),
                ["merge"] = "mean of softmax",
                ["batch_size"] = CanonicalParams.Of(First.Settings.BatchSize),
            };
            if (First.Folds > 0) p["folds"] = CanonicalParams.Of(First.Folds); // absent = seeds only, so existing keys stay valid
            if (First.EvalPrecision == Precision.Bf16) p["precision"] = "bf16";
            if (First.Tta != TestTimeAugmentation.None) p["tta"] = First.Tta.Name();
            if (First.NativeMetrics) p["native_metrics"] = "true";
            if (First.Overlap > 0) p["overlap"] = CanonicalParams.Of(First.Overlap);
            return p;
        }
    }

    /// <summary>Each member's weights by its seed (and fold), so the key follows the weights, not the runs' stage names.</summary>
    public override string InputName(string dependency, string output) =>
        runs.FirstOrDefault(r => StageIds.Train(r.Id) == dependency) is { } run
            ? $"{StageIds.TrainKind}-seed{run.Settings.Seed}{(run.Folds > 0 ? $"-fold{run.Fold}" : "")}/{output}" : base.InputName(dependency, output);

    /// <summary>"3 seeds", "5 folds", "10 models (2 seeds × 5 folds)": what the ensemble is made of.</summary>
    private string Members
    {
        get
        {
            int seeds = runs.Select(r => r.Settings.Seed).Distinct().Count();
            return First.Folds == 0 ? $"{runs.Count} seeds" : seeds == 1 ? $"{runs.Count} folds" : $"{runs.Count} models ({seeds} seeds × {First.Folds} folds)";
        }
    }

    public override bool UsesInput(string dependency, string output) => dependency switch
    {
        StageIds.Preprocess => output == PreprocessStage.OutputName("test"),
        StageIds.Download => output == DownloadStage.DatasetOutput,
        _ => output == TrainingCheckpoint.WeightsFile,
    };

    public override SortedDictionary<string, string>? Summary(StoreEntry entry) =>
        entry.Outputs.ContainsKey(EvaluateStage.MetricsName) && MetricsFile.Read(entry.OutputPath(EvaluateStage.MetricsName)) is var r
            ? HeadlineMetrics.Strings(r.Metrics, null, r.Native?.Metrics) : null;

    public override string? Difference(string output, string storedPath, string recomputedPath) =>
        output == EvaluateStage.MetricsName ? MetricsDifference.Describe(MetricsFile.Read(storedPath), MetricsFile.Read(recomputedPath)) : null;

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var members = new List<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>();
        CheckpointInfo? info = null;
        try
        {
            foreach (var run in runs) // each as its own evaluation scores it
            {
                var (member, checkpoint) = EvaluatedModel.Load(c.Input(StageIds.Train(run.Id), TrainingCheckpoint.WeightsFile).Path, run, c.Device);
                members.Add(member);
                info ??= checkpoint;
            }
        }
        catch
        {
            foreach (var m in members) m.Dispose();
            throw;
        }
        using var model = new Ensemble(members); // disposes the members
        var which = First.Folds == 0 ? $"the seeds {string.Join(", ", runs.Select(r => r.Settings.Seed))}" : $"the {Members}";
        c.Ui.Info($"{Id}: {which} of {First.ExperimentId} as one model, the mean of their class probabilities" +
                  (First.Tta == TestTimeAugmentation.None ? "" : $"; each {First.Tta.Describe()}"));
        using var test = TensorCache.Open(c.Input(StageIds.Preprocess, PreprocessStage.OutputName("test")).Path);
        var ownSize = OwnSizeScoring.For(config, c, test, info!.Model.Classes, First);
        var metrics = Evaluator.Run(model, test, info.Model.Classes, First.Settings.BatchSize, c.Ui, null, c.Cancellation, ownSize?.DuringEvaluation);
        c.Ui.Info($"{Id}: pixel error {metrics.PixelError:F4}, F1 (weighted) {metrics.F1Weighted:F4}, mean IoU {metrics.MeanIoU:F4}, Dice {metrics.Dice:F4} over {metrics.ValidPixels:N0} pixels");
        var nativeMetrics = ownSize?.Result(Id, model);
        var record = new MetricsRecord($"{First.ExperimentId}-ensemble", $"{First.Title} (ensemble of {Members})", 0,
            string.Join(",", runs.Select(r => c.Dependencies[StageIds.Train(r.Id)].Key)), info.Epoch, metrics) { Native = nativeMetrics };
        return new Dictionary<string, StageOutput> { [EvaluateStage.MetricsName] = c.Output(MetricsFile.Write(Path.Combine(c.OutputDir, EvaluateStage.MetricsName), record)) };
    }
}
