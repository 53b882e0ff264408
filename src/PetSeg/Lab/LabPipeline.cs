using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Lab.Stages;
using PetSeg.Metrics;
using PetSeg.Models;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Lab;

/// <summary>
/// What dvc.yaml is to DVC: the lab's stage list, declared once from pipeline.yaml — download → preprocess (+ weights)
/// → train-&lt;exp&gt; → evaluate-&lt;exp&gt; (→ choose-&lt;matrix&gt; → train-&lt;matrix&gt;-refit → evaluate-&lt;matrix&gt;-refit) → report — and the workspace the engine runs it in. Cake, the CLI and the
/// tests all get the same graph and runner from here.
/// </summary>
public static class LabPipeline
{
    public static StageGraph Build(PipelineConfig config)
    {
        var stages = new List<Stage> { new DownloadStage(config) };
        var encoders = config.Experiments.Where(e => e.Pretrained)
            .Select(e => ModelZoo.EncoderName(e.Settings.Model.Architecture)!).Distinct().Order(StringComparer.Ordinal).ToList();
        if (encoders.Count > 0) stages.Add(new WeightsStage(config, encoders));
        stages.Add(new PreprocessStage(config));
        var runs = config.Experiments.Where(e => e.Refit is null).ToList();
        stages.AddRange(runs.Select(e => new TrainStage(config, e)));
        stages.AddRange(runs.Select(e => new EvaluateStage(config, e)));
        stages.AddRange(config.Ensembles().Select(seeds => new EnsembleStage(config, seeds)));
        foreach (var refits in config.Experiments.Where(e => e.Refit is not null).GroupBy(e => e.Refit!.Matrix)) // after the evaluations they choose on
        {
            stages.Add(new ChooseStage(refits.First().Refit!));
            stages.AddRange(refits.Select(e => new RefitStage(config, e)));
            stages.AddRange(refits.Select(e => new EvaluateStage(config, e)));
        }
        if (config.Experiments.Count > 0) stages.Add(new ReportStage(config));
        return new StageGraph(stages);
    }

    /// <summary>How <c>exp show</c> and <c>metrics diff</c> read the lab's experiments from a lock file.</summary>
    public static readonly ComparisonSchema Comparison = new(StageIds.TrainKind, StageIds.EvaluateKind,
        [.. HeadlineMetrics.All.Select(m => new MetricColumn(m.Key, m.LowerIsBetter)),
         .. HeadlineMetrics.All.Select(m => new MetricColumn(HeadlineMetrics.ValidationPrefix + m.Key, m.LowerIsBetter, Optional: true)),
         .. HeadlineMetrics.All.Select(m => new MetricColumn(HeadlineMetrics.NativePrefix + m.Key, m.LowerIsBetter, Optional: true))],
        // How an evaluation scored (absent: fp32, no test-time augmentation), beside the training's parameters; an
        // ensemble's row (an evaluation of no one training) shows its seeds and folds.
        new Dictionary<string, string> { ["precision"] = "eval_precision", ["tta"] = "tta", ["seeds"] = "seeds", ["folds"] = "folds" },
        GroupParam: "experiment"); // an evaluation names the experiment its run (a seed's, a fold's) belongs to

    /// <summary>Where the engine keeps the store and the lock, and how it computes, for this configuration.</summary>
    public static Workspace WorkspaceOf(PipelineConfig config) =>
        new(config.File, config.Profile, config.ArtifactsDir, config.LockFile, [config.DataDir], config.Compute);

    /// <summary>The engine's runner over the lab's stages.</summary>
    /// <param name="digests">Digest memo; default: the store's, persisted in store/digests.json.</param>
    /// <param name="remote">The remote to pull stale stages from (and push computed ones to), or null to work locally.</param>
    public static PipelineRunner Runner(PipelineConfig config, IProgressSink ui, HttpClient? http = null, DigestCache? digests = null, RemoteUse? remote = null) =>
        new(WorkspaceOf(config), Build(config), ui, http, digests, remote);
}
