using System.Globalization;
using System.Text;
using PetSeg.Metrics;
using PetSeg.Reporting.Statistics;

namespace PetSeg.Reporting;

/// <summary>
/// The experiments whose seeds were also evaluated as one model (<c>ensemble: true</c>): the seeds' mean test mean IoU
/// with its interval, the best seed's, and the ensemble's, so a reader sees what averaging the models buys over
/// averaging their scores. Empty when no experiment asked for it.
/// </summary>
public static class EnsembleTable
{
    public static string Render(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs, IReadOnlyDictionary<string, MetricsRecord> ensembles)
    {
        // A cross-validated experiment's ensemble is its folds': the cross-validation table has it.
        var rows = ensembles.Where(e => runs.TryGetValue(e.Key, out var r) && !CrossValidationTable.IsCrossValidated(r)).ToList();
        if (rows.Count == 0) return "";
        var sb = new StringBuilder("## Ensembles of seeds\n\n");
        sb.Append("Each experiment's seeds evaluated as one model, the mean of their class probabilities (`ensemble: true`), ")
          .Append("beside the seeds' own test mean IoU: their mean ± 95 % half-width and the best of them.\n\n");
        sb.Append("| Experiment | seeds | mean IoU, mean over seeds | best seed | ensemble | ensemble Dice |\n|:--|--:|--:|--:|--:|--:|\n");
        foreach (var (experiment, record) in rows)
        {
            var scores = runs[experiment].Select(r => r.Metrics.MeanIoU).ToList();
            var interval = SeedInterval.Of(scores);
            var best = scores.Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
            sb.Append($"| {experiment} | {scores.Count} | {F(interval.Mean)}{(interval.HalfWidth is { } h ? $" ± {F(h)}" : "")} | {F(best)} | {F(record.Metrics.MeanIoU)} | {F(record.Metrics.Dice)} |\n");
        }
        return sb.Append('\n').ToString();
    }

    private static string F(double v) => double.IsNaN(v) ? PipeTable.NotAvailable : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
