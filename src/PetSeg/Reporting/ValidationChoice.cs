using System.Globalization;
using System.Text;
using PetSeg.Reporting.Statistics;

namespace PetSeg.Reporting;

/// <summary>
/// The honest answer to a matrix's question "which settings are best": the row with the best mean IoU on the validation
/// images its runs held out of training (mean over seeds), and that row's test mean IoU as the figure to quote. When the
/// test split would have picked another row, it says so: that row's test figure is optimistic, because the test images
/// chose it; with <c>refit: true</c>, the test figure of the chosen settings trained again on all of trainval. Written
/// under a matrix's table when its runs held images out (<c>validation:</c>).
/// </summary>
public static class ValidationChoice
{
    /// <summary>The row chosen: the best validation mean IoU (mean over seeds; the first of equals), or null when no run held images out.</summary>
    public static (ReportRow Row, double Validation)? Choose(ReportTable table, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs) =>
        table.Rows.Select(r => (Row: r, Validation: Mean(runs[r.Experiment], v => v.Validation?.Metrics.MeanIoU)))
            .Where(r => !double.IsNaN(r.Validation)).Select(r => ((ReportRow, double)?)r).MaxBy(r => r!.Value.Item2);

    public static string Render(ReportTable table, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs)
    {
        var rows = table.Rows.Select(r => (r.Label, r.Experiment, Validation: Mean(runs[r.Experiment], v => v.Validation?.Metrics.MeanIoU),
            Test: Mean(runs[r.Experiment], v => v.Metrics.MeanIoU), Images: runs[r.Experiment].Select(v => v.Validation?.Images).FirstOrDefault(i => i is not null))).ToList();
        if (Choose(table, runs) is not { } choice) return "";
        var chosen = rows.First(r => r.Experiment == choice.Row.Experiment);
        var byTest = rows.Where(r => !double.IsNaN(r.Test)).MaxBy(r => r.Test);
        string F(double v) => double.IsNaN(v) ? PipeTable.NotAvailable : v.ToString("0.0000", CultureInfo.InvariantCulture);

        var seeds = runs[chosen.Experiment].Count;
        int folds = runs[chosen.Experiment].Max(v => v.Fold);
        var sb = new StringBuilder();
        if (folds > 0) // cross-validated: every trainval image was held out once, by one run of each row
            sb.Append("Chosen by ").Append(folds).Append("-fold cross-validation (each run held one fold of trainval out of training; means over ")
              .Append(seeds).Append(" runs): **");
        else
            sb.Append("Chosen on the validation images (").Append(chosen.Images?.ToString(CultureInfo.InvariantCulture) ?? "?")
              .Append(" trainval images each run held out of training").Append(seeds > 1 ? $"; means over {seeds} seeds" : "").Append("): **");
        sb.Append(chosen.Label).Append("** (`").Append(chosen.Experiment).Append("`), validation mean IoU ").Append(F(chosen.Validation))
          .Append(", test mean IoU ").Append(F(chosen.Test)).Append(": the figure to quote for this choice.");
        if (byTest.Experiment is not null && byTest.Experiment != chosen.Experiment)
            sb.Append(" Picked on the test split, the choice would have been ").Append(byTest.Label).Append(" (test mean IoU ").Append(F(byTest.Test))
              .Append("), a figure the test images both chose and scored, so an optimistic one.");
        if (table.Refit is { } refit && runs.TryGetValue(refit, out var refitRuns) && refitRuns.Count > 0)
        {
            // The model the sweep ends with: the chosen settings trained on every trainval image, the held-out ones included.
            sb.Append(" Refit on all of trainval with these settings for ").Append(refitRuns[0].Epochs?.ToString(CultureInfo.InvariantCulture) ?? "?")
              .Append(" epoch(s) (`").Append(refit).Append(refitRuns.Count > 1 ? $"`, mean over {refitRuns.Count} seeds" : "`").Append("): test mean IoU **")
              .Append(F(Mean(refitRuns, v => v.Metrics.MeanIoU))).Append("**, the model this matrix ends with.");
        }
        sb.Append("\n\n| Model | validation mean IoU | test mean IoU | epochs |\n|:--|--:|--:|--:|\n");
        foreach (var r in rows)
        {
            var mark = r.Experiment == chosen.Experiment ? "**" : "";
            // The evaluated weights' epochs: fewer than configured where keep: best or patience chose them (one per seed when they differ).
            var epochs = string.Join(", ", runs[r.Experiment].Select(v => v.Epochs?.ToString(CultureInfo.InvariantCulture) ?? "?").Distinct());
            sb.Append("| ").Append(mark).Append(r.Label).Append(mark).Append(" | ").Append(mark).Append(F(r.Validation)).Append(mark)
              .Append(" | ").Append(F(r.Test)).Append(" | ").Append(epochs).Append(" |\n");
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>The mean over seeds of a value (NaN and missing values left out), NaN when there is none.</summary>
    private static double Mean(IReadOnlyList<SeedRun> runs, Func<SeedRun, double?> value)
    {
        var values = runs.Select(value).Where(v => v is { } x && !double.IsNaN(x)).Select(v => v!.Value).ToList();
        return values.Count == 0 ? double.NaN : SeedInterval.Of(values).Mean;
    }
}
