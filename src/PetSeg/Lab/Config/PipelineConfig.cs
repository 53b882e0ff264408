using PetSeg.Reporting;
using PetSeg.Compute;
using PetSeg.Workflow.Cluster;
using PetSeg.Workflow.Remote;

namespace PetSeg.Lab.Config;

/// <summary>The resolved pipeline.yaml (with a profile applied): what every stage reads its parameters from.</summary>
public sealed record PipelineConfig(string File, string? Profile, string ArtifactsDir, DatasetConfig Dataset, PreprocessConfig Preprocess,
    WeightsConfig Weights, IReadOnlyList<ExperimentConfig> Experiments, ReportConfig Report)
{
    /// <summary>Remote stores results are shared through (none unless pipeline.yaml declares some).</summary>
    public RemotesConfig Remotes { get; init; } = RemotesConfig.None;

    /// <summary>How stale stages run on a cluster (<c>cluster:</c>); engine "none" unless pipeline.yaml sets one.</summary>
    public ClusterConfig Cluster { get; init; } = ClusterConfig.None;

    /// <summary>How results are computed (<c>compute:</c>): the numerics self-check's mode.</summary>
    public ComputeConfig Compute { get; init; } = ComputeConfig.Default;

    /// <summary>pipeline.lock for the default configuration, pipeline.&lt;profile&gt;.lock for a profile (next to pipeline.yaml).</summary>
    public string LockFile => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(File))!, Profile is null ? "pipeline.lock" : $"pipeline.{Profile}.lock");

    /// <summary>Where downloaded archives, the extracted dataset and the tensor caches live.</summary>
    public string DataDir => Path.Combine(ArtifactsDir, "data");

    /// <summary>The error for a command line naming an experiment this file does not define: the closest name, then all of them.</summary>
    public Core.ConfigException NoExperiment(string name) =>
        new($"{File}: no experiment '{name}'{Core.ClosestName.Suggestion(name, Experiments.Select(e => e.ExperimentId))}. " +
            $"Defined: {string.Join(", ", Experiments.Select(e => e.ExperimentId).Distinct())}");

    /// <summary>The experiments evaluated as an ensemble of their seeds (<c>ensemble: true</c>), each as its seeds' runs.</summary>
    public IEnumerable<IReadOnlyList<ExperimentConfig>> Ensembles() =>
        Experiments.Where(e => e.Ensemble && e.Refit is null).GroupBy(e => e.ExperimentId).Select(g => (IReadOnlyList<ExperimentConfig>)[.. g]);

    /// <summary>A matrix's runs as a command names them ("sweep-1 (lr=0.01), sweep-2 (lr=0.001)"); empty when <paramref name="matrix"/> is none.</summary>
    public IReadOnlyList<string> MatrixRuns(string matrix) =>
        Experiments.Where(e => e.Matrix?.Matrix == matrix).DistinctBy(e => e.ExperimentId).Select(e => $"{e.ExperimentId} ({e.Matrix!.Label})").ToList();
}
