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
    /// <param name="group">One row per experiment: its runs' (seeds', folds') metrics averaged (<see cref="Grouped"/>).</param>
    public static ExperimentTable FromLock(PipelineLock lockFile, ComparisonSchema schema, bool all = false, string? sortBy = null, bool group = false)
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
            string? of = schema.GroupParam is { } g && eval is not null && eval.Params.TryGetValue(g, out var named) && named != id ? named : null;
            rows.Add(new ExperimentRow(id, shownParams, metrics, ComputedWith(locked)) { Group = of });
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
        if (group) rows = Grouped(rows);
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

    /// <summary>
    /// The runs of one experiment (its seeds, its folds) as one row, named by the experiment, where it first appears:
    /// each metric the mean of the runs that have it (NaN left out, as the report's means), each parameter its value
    /// where the runs agree and their values joined where they do not (<c>seed 42,43,44</c>).
    /// </summary>
    private static List<ExperimentRow> Grouped(List<ExperimentRow> rows) =>
        [.. rows.GroupBy(r => r.Group ?? r.Id, StringComparer.Ordinal).Select(g =>
        {
            var runs = g.ToList();
            if (runs.Count == 1) return runs[0];
            var shown = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in runs.SelectMany(r => r.Params.Keys).Distinct())
                shown[key] = string.Join(",", runs.Select(r => r.Params.GetValueOrDefault(key, "-")).Distinct());
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var name in runs.SelectMany(r => r.Metrics.Keys).Distinct())
            {
                var values = runs.Where(r => r.Metrics.ContainsKey(name)).Select(r => r.Metrics[name]).Where(v => !double.IsNaN(v)).ToList();
                metrics[name] = values.Count == 0 ? double.NaN : values.Average();
            }
            return new ExperimentRow(g.Key, shown, metrics, string.Join("; ", runs.Select(r => r.ComputedWith).Distinct())) { Runs = runs.Count };
        })];

    /// <summary>"device (cpu model, N threads); kernels; numerics …" from a stage's lock record (entries from before it was recorded: "-").</summary>
    private static string ComputedWith(LockedStage stage) => stage.Compute is { } c
        ? $"{c.GetValueOrDefault("device", "cpu")} ({c.GetValueOrDefault("cpu", "?")}{(c.TryGetValue("threads", out var t) ? $", {t} thread(s)" : "")}); " +
          $"{c.GetValueOrDefault("kernels", "?")}; numerics {c.GetValueOrDefault("numerics", "?")}" : "-";

    /// <summary>The column naming where each experiment was computed (device, CPU, kernels, numerics verdict).</summary>
    public const string ComputedWithColumn = "computed with";

    /// <summary>Whether a row stands for several runs (a grouped table): it then has a <c>runs</c> column.</summary>
    private bool Grouping => Rows.Any(r => r.Runs > 1);

    public IReadOnlyList<string> Header => ["experiment", .. Grouping ? ["runs"] : Array.Empty<string>(), .. ParamColumns, ComputedWithColumn, .. MetricNames];

    public IEnumerable<IReadOnlyList<string>> Cells() => Rows.Select(r => (IReadOnlyList<string>)
        [r.Id, .. Grouping ? [r.Runs.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(), .. ParamColumns.Select(p => r.Params.GetValueOrDefault(p, "-")), r.ComputedWith,
         .. MetricNames.Select(m => r.Metrics.TryGetValue(m, out var v) ? Format(v) : "-")]);

    public static string Format(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.0000", CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", Header).Append(" |\n|").AppendJoin("|", Header.Select((_, i) => i < Header.Count - MetricNames.Count - 1 ? ":--" : "--:")).Append("|\n");
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
        runs = r.Runs,
        @params = ParamColumns.ToDictionary(p => p, p => r.Params.GetValueOrDefault(p)),
        computed_with = r.ComputedWith,
        metrics = r.Metrics.ToDictionary(m => m.Key, m => double.IsNaN(m.Value) ? (double?)null : m.Value),
    }), JsonFiles.Options(indented: true));
}
