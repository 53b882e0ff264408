using PetSeg.Core;
using PetSeg.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Comparison;

/// <summary>
/// Experiments × parameters × metrics from pipeline.lock, like <c>dvc exp show</c>: by default only the parameters
/// that differ between experiments; rendered for the terminal, markdown, CSV or JSON.
/// </summary>
public sealed class ExperimentTable
{
    public IReadOnlyList<ExperimentRow> Rows { get; }
    public IReadOnlyList<string> ParamColumns { get; }
    public IReadOnlyList<string> MetricNames { get; }

    private ExperimentTable(IReadOnlyList<ExperimentRow> rows, IReadOnlyList<string> paramColumns, IReadOnlyList<string> metricNames) =>
        (Rows, ParamColumns, MetricNames) = (rows, paramColumns, metricNames);

    /// <param name="all">Every parameter, not only those that differ.</param>
    /// <param name="sortBy">A metric to sort by (best first), or null for the lock's order.</param>
    public static ExperimentTable FromLock(PipelineLock lockFile, ComparisonSchema schema, bool all = false, string? sortBy = null)
    {
        var rows = new List<ExperimentRow>();
        foreach (var (stage, locked) in lockFile.Stages)
        {
            if (StageName.SubjectOf(stage, schema.ParamsKind) is not { } id) continue;
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            var shownParams = locked.ShownParams();
            if (lockFile.Stages.TryGetValue(StageName.Of(schema.MetricsKind, id), out var eval))
            {
                foreach (var (k, v) in eval.Metrics ?? []) metrics[k] = double.Parse(v, CultureInfo.InvariantCulture);
                foreach (var (param, column) in schema.MetricsParams ?? new Dictionary<string, string>())
                    if (eval.Params.TryGetValue(param, out var value)) shownParams[column] = value;
            }
            rows.Add(new ExperimentRow(id, shownParams, metrics, ComputedWith(locked)));
        }
        // A metrics stage of no training of its name (an ensemble of an experiment's seeds) is a row of its own, showing
        // the parameters the schema shows of metrics stages.
        foreach (var (stage, locked) in lockFile.Stages)
        {
            if (StageName.SubjectOf(stage, schema.MetricsKind) is not { } id || lockFile.Stages.ContainsKey(StageName.Of(schema.ParamsKind, id))) continue;
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var (k, v) in locked.Metrics ?? []) metrics[k] = double.Parse(v, CultureInfo.InvariantCulture);
            var shownParams = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (param, column) in schema.MetricsParams ?? new Dictionary<string, string>())
                if (locked.Params.TryGetValue(param, out var value)) shownParams[column] = value;
            rows.Add(new ExperimentRow(id, shownParams, metrics, ComputedWith(locked)));
        }
        if (sortBy is not null)
        {
            var column = schema.Metrics.FirstOrDefault(c => c.Name == sortBy)
                ?? throw new PetSegException($"cannot sort by '{sortBy}': expected one of {string.Join(", ", schema.MetricNames)}");
            // Best first; experiments without the metric (or NaN) last.
            var lowerIsBetter = column.LowerIsBetter;
            double Key(ExperimentRow r) => r.Metrics.TryGetValue(sortBy, out var v) && !double.IsNaN(v) ? (lowerIsBetter ? v : -v) : double.PositiveInfinity;
            rows = [.. rows.OrderBy(Key)];
        }
        var keys = rows.SelectMany(r => r.Params.Keys).Distinct().Order(StringComparer.Ordinal);
        var columns = keys.Where(k => all || rows.Select(r => r.Params.GetValueOrDefault(k)).Distinct().Count() > 1).ToList();
        var shown = schema.Metrics.Where(m => !m.Optional || rows.Any(r => r.Metrics.ContainsKey(m.Name))).Select(m => m.Name).ToList();
        return new ExperimentTable(rows, columns, shown);
    }

    /// <summary>"device (cpu model, N threads); kernels; numerics …" from a stage's lock record (entries from before it was recorded: "-").</summary>
    private static string ComputedWith(LockedStage stage) => stage.Compute is { } c
        ? $"{c.GetValueOrDefault("device", "cpu")} ({c.GetValueOrDefault("cpu", "?")}{(c.TryGetValue("threads", out var t) ? $", {t} thread(s)" : "")}); " +
          $"{c.GetValueOrDefault("kernels", "?")}; numerics {c.GetValueOrDefault("numerics", "?")}" : "-";

    /// <summary>The column naming where each experiment was computed (device, CPU, kernels, numerics verdict).</summary>
    public const string ComputedWithColumn = "computed with";

    public IReadOnlyList<string> Header => ["experiment", .. ParamColumns, ComputedWithColumn, .. MetricNames];

    public IEnumerable<IReadOnlyList<string>> Cells() => Rows.Select(r => (IReadOnlyList<string>)
        [r.Id, .. ParamColumns.Select(p => r.Params.GetValueOrDefault(p, "-")), r.ComputedWith, .. MetricNames.Select(m => r.Metrics.TryGetValue(m, out var v) ? Format(v) : "-")]);

    public static string Format(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", Header).Append(" |\n|").AppendJoin("|", Header.Select((_, i) => i < 1 + ParamColumns.Count ? ":--" : "--:")).Append("|\n");
        foreach (var row in Cells()) sb.Append("| ").AppendJoin(" | ", row).Append(" |\n");
        return sb.ToString();
    }

    public string ToCsv()
    {
        static string Q(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder();
        sb.AppendJoin(',', Header.Select(Q)).Append('\n');
        foreach (var row in Cells()) sb.AppendJoin(',', row.Select(Q)).Append('\n');
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(Rows.Select(r => new
    {
        experiment = r.Id,
        @params = ParamColumns.ToDictionary(p => p, p => r.Params.GetValueOrDefault(p)),
        computed_with = r.ComputedWith,
        metrics = r.Metrics.ToDictionary(m => m.Key, m => double.IsNaN(m.Value) ? (double?)null : m.Value),
    }), JsonFiles.Options(indented: true));
}
