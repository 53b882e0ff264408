using System.Globalization;
using System.Text;
using PetSeg.Core;
using PetSeg.Metrics;

namespace PetSeg.Reporting;

/// <summary>
/// Per class, per experiment, in one compact table: IoU, precision and recall of background and pet, and the
/// confusion matrix (rows = truth, columns = prediction, in % of the valid pixels). First seed of each experiment.
/// A dataset of more than two classes gets IoU per class and its best experiment's confusion matrix.
/// </summary>
public static class PerClassTable
{
    /// <param name="classNames">By label: background, then the foreground (the lab's pet; a folder dataset's own name).</param>
    public static string Render(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs, IReadOnlyList<string>? classNames = null)
    {
        var names = classNames ?? SegmentationLabels.Names;
        if (names.Count > SegmentationLabels.Classes) return RenderMany(runs, names);
        var fg = names[SegmentationLabels.Pet];
        var order = $"bg→bg, bg→{fg}, {fg}→bg, {fg}→{fg}";
        var sb = new StringBuilder("## Per class\n\n");
        sb.Append("IoU / precision / recall per class, and the confusion matrix as % of valid test pixels ")
          .Append($"(truth → prediction: {order}); first seed of each experiment.\n\n");
        sb.Append("| Experiment |");
        foreach (var c in names) sb.Append($" {c} IoU | {c} precision | {c} recall |");
        sb.Append($" confusion ({order}) |\n|:--|").Append(string.Concat(Enumerable.Repeat("--:|", 3 * names.Count))).Append(":--|\n");
        foreach (var (experiment, list) in runs)
        {
            var m = list[0].Metrics;
            sb.Append("| ").Append(experiment).Append(" |");
            for (int c = 0; c < names.Count; c++)
            {
                var pc = m.PerClass.FirstOrDefault(p => p.Class == c);
                sb.Append(' ').Append(F(pc?.IoU)).Append(" | ").Append(F(pc?.Precision)).Append(" | ").Append(F(pc?.Recall)).Append(" |");
            }
            sb.Append(' ').Append(Confusion(m)).Append(" |\n");
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>
    /// More than two classes: a column of IoU per class (three per class and C² confusion cells would not fit a row),
    /// then the confusion matrix of the experiment with the best mean IoU, each row as % of that true class's pixels
    /// (the diagonal is each class's recall).
    /// </summary>
    private static string RenderMany(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs, IReadOnlyList<string> names)
    {
        var sb = new StringBuilder("## Per class\n\n");
        sb.Append("IoU per class and their mean; first seed of each experiment.\n\n| Experiment |");
        foreach (var c in names) sb.Append($" {c} |");
        sb.Append(" mean IoU |\n|:--|").Append(string.Concat(Enumerable.Repeat("--:|", names.Count + 1))).Append('\n');
        foreach (var (experiment, list) in runs)
        {
            var m = list[0].Metrics;
            sb.Append("| ").Append(experiment).Append(" |");
            for (int c = 0; c < names.Count; c++) sb.Append(' ').Append(F(m.PerClass.FirstOrDefault(p => p.Class == c)?.IoU)).Append(" |");
            sb.Append(' ').Append(F(m.MeanIoU)).Append(" |\n");
        }
        var best = runs.Where(r => !double.IsNaN(r.Value[0].Metrics.MeanIoU) && r.Value[0].Metrics.ConfusionMatrix.Length == names.Count)
            .OrderByDescending(r => r.Value[0].Metrics.MeanIoU).Select(r => (r.Key, r.Value[0].Metrics)).FirstOrDefault();
        if (best.Key is null) return sb.Append('\n').ToString();
        sb.Append($"\nConfusion of {best.Key} (best mean IoU): rows are the true class, columns the predicted one, in % of the true class's valid pixels.\n\n");
        sb.Append("| truth \\ prediction |");
        foreach (var c in names) sb.Append($" {c} |");
        sb.Append("\n|:--|").Append(string.Concat(Enumerable.Repeat("--:|", names.Count))).Append('\n');
        for (int t = 0; t < names.Count; t++)
        {
            var row = best.Metrics.ConfusionMatrix[t];
            long total = row.Sum();
            sb.Append("| ").Append(names[t]).Append(" |");
            foreach (var v in row)
                sb.Append(' ').Append(total == 0 ? PipeTable.NotAvailable : (100.0 * v / total).ToString("0.0", CultureInfo.InvariantCulture) + " %").Append(" |");
            sb.Append('\n');
        }
        return sb.Append('\n').ToString();
    }

    private static string F(double? v) => v is { } x && !double.IsNaN(x) ? x.ToString("0.0000", CultureInfo.InvariantCulture) : PipeTable.NotAvailable;

    private static string Confusion(SegmentationMetrics m)
    {
        var cells = m.ConfusionMatrix.SelectMany(r => r).ToList();
        var total = cells.Sum();
        return total == 0 || cells.Count != 4 ? PipeTable.NotAvailable
            : string.Join(", ", cells.Select(v => (100.0 * v / total).ToString("0.0", CultureInfo.InvariantCulture) + " %"));
    }
}
