namespace PetSeg.Workflow.Comparison;

/// <summary>
/// How a pipeline's experiments appear in its lock file: the stage kind whose parameters describe an experiment, the
/// kind whose summary holds its metrics (each named <c>&lt;kind&gt;-&lt;experiment&gt;</c>), and the metric columns.
/// The pipeline declares it; the engine reads lock files with it.
/// </summary>
/// <param name="MetricsParams">Parameters of the metrics stage that describe an experiment too (how it was scored), by the
/// column they show in: two rows that trained alike but were scored differently then differ in the table.</param>
/// <param name="GroupParam">The metrics stage's parameter naming the experiment a run belongs to (runs of one
/// experiment's seeds or folds share it), for a table of one row per experiment; null when runs are not grouped.</param>
public sealed record ComparisonSchema(string ParamsKind, string MetricsKind, IReadOnlyList<MetricColumn> Metrics,
    IReadOnlyDictionary<string, string>? MetricsParams = null, string? GroupParam = null)
{
    public IReadOnlyList<string> MetricNames => [.. Metrics.Select(m => m.Name)];
}
