using System.Globalization;
using System.Text;
using PetSeg.Metrics;
using PetSeg.Reporting.Statistics;

namespace PetSeg.Reporting;

/// <summary>
/// The cross-validated experiments (<c>folds: K</c>): each fold's validation mean IoU, scored by the model that did not
/// train on it, and their mean, the cross-validation estimate (as scikit-learn's <c>cross_val_score(...).mean()</c>),
/// with its spread; beside it the fold models' test mean IoU and, with <c>ensemble: true</c>, the folds' models as one
/// (nnU-Net's way to use them). Empty when no experiment is cross-validated.
/// </summary>
public static class CrossValidationTable
{
    public static string Render(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs, IReadOnlyDictionary<string, MetricsRecord> ensembles)
    {
        var rows = runs.Where(r => IsCrossValidated(r.Value)).ToList();
        if (rows.Count == 0) return "";
        var sb = new StringBuilder("## Cross-validation\n\n");
        sb.Append("Each experiment trained once per fold, every run holding one fold of trainval out of its training (`folds:`), so each ")
          .Append("trainval image was validated on once, by a model that never saw it. The estimate is the mean of the folds' validation ")
          .Append("mean IoU ± 95 % half-width over the runs (Student t); the test columns score the fold models on the test split: their mean, ")
          .Append("and with `ensemble: true` the folds' models as one, the mean of their class probabilities.\n\n");
        sb.Append("| Experiment | folds | validation mean IoU per fold | cross-validation mean IoU | test mean IoU, mean over runs | ensemble test mean IoU |\n|:--|--:|:--|--:|--:|--:|\n");
        foreach (var (experiment, list) in rows)
        {
            int folds = list.Max(r => r.Fold);
            // Each fold's score (the mean over seeds, with several), in fold order.
            var perFold = list.GroupBy(r => r.Fold).OrderBy(g => g.Key)
                .Select(g => F(SeedInterval.Of(g.Select(r => r.Validation?.Metrics.MeanIoU ?? double.NaN).ToList()).Mean));
            var cv = SeedInterval.Of(list.Select(r => r.Validation?.Metrics.MeanIoU ?? double.NaN).ToList());
            var test = SeedInterval.Of(list.Select(r => r.Metrics.MeanIoU).ToList());
            var ensemble = ensembles.TryGetValue(experiment, out var record) ? F(record.Metrics.MeanIoU) : PipeTable.NotAvailable;
            sb.Append($"| {experiment} | {folds} | {string.Join(", ", perFold)} | **{Interval(cv)}** | {Interval(test)} | {ensemble} |\n");
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>Whether an experiment's runs are its folds (<c>folds:</c>) rather than seeds alone.</summary>
    public static bool IsCrossValidated(IReadOnlyList<SeedRun> runs) => runs.Any(r => r.Fold > 0);

    private static string Interval(SeedInterval i) => i.HalfWidth is { } h ? $"{F(i.Mean)} ± {F(h)}" : F(i.Mean);

    private static string F(double v) => double.IsNaN(v) ? PipeTable.NotAvailable : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
