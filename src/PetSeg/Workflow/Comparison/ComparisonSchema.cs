namespace PetSeg.Workflow.Comparison;

/// <summary>
/// How a pipeline's experiments appear in its lock file: the stage kind whose parameters describe an experiment, the
/// kind whose summary holds its metrics (each named <c>&lt;kind&gt;-&lt;experiment&gt;</c>), and the metric columns.
/// The pipeline declares it; the engine reads lock files with it.
/// </summary>
public sealed record ComparisonSchema(string ParamsKind, string MetricsKind, IReadOnlyList<MetricColumn> Metrics)
{
    public IReadOnlyList<string> MetricNames => [.. Metrics.Select(m => m.Name)];
}
