using System.Globalization;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Comparison;

/// <summary>
/// <c>metrics diff</c> and <c>params diff</c> as DVC has them: the results pipeline.lock records now against those
/// recorded at another git revision, per experiment (metrics) or stage (parameters): old → new and the change.
/// </summary>
public static class LockDiff
{
    public static IReadOnlyList<DiffRow> Metrics(PipelineLock old, PipelineLock now, ComparisonSchema schema, bool all = false)
    {
        var rows = new List<DiffRow>();
        foreach (var stage in old.Stages.Keys.Union(now.Stages.Keys).Where(s => StageName.SubjectOf(s, schema.MetricsKind) is not null).Order(StringComparer.Ordinal))
        {
            var a = old.Stages.GetValueOrDefault(stage)?.Metrics ?? [];
            var b = now.Stages.GetValueOrDefault(stage)?.Metrics ?? [];
            foreach (var metric in schema.MetricNames.Where(m => a.ContainsKey(m) || b.ContainsKey(m)))
            {
                string? x = a.GetValueOrDefault(metric), y = b.GetValueOrDefault(metric);
                if (!all && x == y) continue;
                rows.Add(new DiffRow(StageName.SubjectOf(stage, schema.MetricsKind)!, metric, Show(x), Show(y), Delta(x, y)));
            }
        }
        return rows;
    }

    public static IReadOnlyList<DiffRow> Params(PipelineLock old, PipelineLock now, bool all = false)
    {
        var rows = new List<DiffRow>();
        foreach (var stage in old.Stages.Keys.Union(now.Stages.Keys).Order(StringComparer.Ordinal))
        {
            var a = old.Stages.GetValueOrDefault(stage)?.ShownParams() ?? [];
            var b = now.Stages.GetValueOrDefault(stage)?.ShownParams() ?? [];
            foreach (var name in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
            {
                string? x = a.GetValueOrDefault(name), y = b.GetValueOrDefault(name);
                if (!all && x == y) continue;
                rows.Add(new DiffRow(stage, name, x, y, Delta(x, y)));
            }
        }
        return rows;
    }

    private static string? Show(string? v) => v is null ? null : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? ExperimentTable.Format(d) : v;

    private static string Delta(string? x, string? y)
    {
        if (x is null) return "added";
        if (y is null) return "removed";
        if (double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && double.TryParse(y, NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
            return double.IsNaN(a) || double.IsNaN(b) ? "n/a" : (b - a).ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture);
        return x == y ? "" : "changed";
    }
}
