using System.Globalization;
using System.Text;
using PetSeg.Metrics;
using PetSeg.Reporting.Statistics;

namespace PetSeg.Reporting;

/// <summary>
/// What the lab's one-run tables cannot say: for each table, every metric's mean over seeds with its 95 % confidence
/// half-width (Student t) and n, and a table of the lab's comparisons as paired differences over seeds, marked when the
/// interval excludes zero. With one seed per experiment, it says that no interval can be given.
/// </summary>
public static class SeedTables
{
    private static readonly (string Name, Func<SegmentationMetrics, double> Value)[] Metrics =
        [.. HeadlineMetrics.LabColumns.Select(m => (m.SeedLabel!, m.Read))];

    /// <summary>Each experiment's headline metrics averaged over its seeds (NaN values left out): what the lab's tables show.</summary>
    public static IReadOnlyDictionary<string, SegmentationMetrics> Means(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs) =>
        runs.ToDictionary(r => r.Key, r =>
        {
            var ms = r.Value.Select(x => x.Metrics).ToList();
            return ms.Count == 1 ? ms[0]
                : HeadlineMetrics.All.Aggregate(ms[0], (mean, h) => h.Write(mean, SeedInterval.Of(ms.Select(h.Read).ToList()).Mean));
        });

    public static bool AnyInterval(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs) => runs.Values.Any(r => r.Count >= 2);

    public const string OneSeedNote = "One seed per experiment: no confidence interval can be given. Set `training.seeds: [42, 43, 44]` " +
                                      "(or `seeds:` per experiment) to train each experiment once per seed.\n\n";

    /// <summary>The interval table for one of the lab's tables.</summary>
    public static string Intervals(ReportTable table, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs)
    {
        var sb = new StringBuilder();
        sb.Append("Mean ± 95 % confidence half-width over seeds (Student t):\n\n| Model |");
        foreach (var (name, _) in Metrics) sb.Append(' ').Append(name).Append(" |");
        sb.Append(" n |\n|:--|").Append(string.Concat(Enumerable.Repeat("--:|", Metrics.Length))).Append("--:|\n");
        foreach (var row in table.Rows)
        {
            var list = runs[row.Experiment];
            sb.Append("| ").Append(row.Label).Append(" |");
            foreach (var (_, f) in Metrics) sb.Append(' ').Append(Cell(SeedInterval.Of(list.Select(r => f(r.Metrics)).ToList()), signed: false)).Append(" |");
            sb.Append(' ').Append(list.Count.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>The paired differences A − B over the seeds (and folds) both experiments ran with.</summary>
    public static string Differences(IReadOnlyList<ReportComparison> comparisons, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs)
    {
        var usable = comparisons.Where(c => runs.ContainsKey(c.A) && runs.ContainsKey(c.B)).ToList();
        if (usable.Count == 0) return "";
        var sb = new StringBuilder("## Differences between variants\n\n");
        sb.Append("Paired over the seeds both ran with: mean difference A − B ± 95 % confidence half-width; ")
          .Append("**bold** when the interval excludes zero (the difference is larger than what another seed does).\n\n| Comparison |");
        foreach (var (name, _) in Metrics) sb.Append(" Δ ").Append(name).Append(" |");
        sb.Append(" n |\n|:--|").Append(string.Concat(Enumerable.Repeat("--:|", Metrics.Length))).Append("--:|\n");
        foreach (var c in usable)
        {
            var b = runs[c.B].ToDictionary(r => (r.Seed, r.Fold)); // a fold pairs with the same fold: both trained on the same images
            var pairs = runs[c.A].Where(r => b.ContainsKey((r.Seed, r.Fold))).Select(r => (A: r.Metrics, B: b[(r.Seed, r.Fold)].Metrics)).ToList();
            sb.Append("| ").Append(c.Label).Append(" |");
            foreach (var (_, f) in Metrics)
            {
                var interval = SeedInterval.Of(pairs.Select(p => f(p.A) - f(p.B)).ToList());
                var cell = Cell(interval, signed: true);
                sb.Append(' ').Append(interval.ExcludesZero ? $"**{cell}**" : cell).Append(" |");
            }
            sb.Append(' ').Append(pairs.Count.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
        }
        return sb.Append('\n').ToString();
    }

    private static string Cell(SeedInterval i, bool signed)
    {
        if (i.N == 0 || double.IsNaN(i.Mean)) return PipeTable.NotAvailable;
        var mean = i.Mean.ToString(signed ? "+0.0000;-0.0000;0.0000" : "0.0000", CultureInfo.InvariantCulture);
        return i.HalfWidth is { } h ? $"{mean} ± {h.ToString("0.0000", CultureInfo.InvariantCulture)}" : $"{mean} (one seed)";
    }
}
