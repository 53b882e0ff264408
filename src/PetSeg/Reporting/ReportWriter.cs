using System.Text;
using PetSeg.Metrics;

namespace PetSeg.Reporting;

/// <summary>Renders report.md: the lab's tables exactly as the notebook prints them, then curves, predictions and run metadata.</summary>
public static class ReportWriter
{
    public static readonly string[] Columns = ["Model", .. HeadlineMetrics.LabColumns.Select(m => m.LabColumn!)];

    /// <summary>The tables alone, each under a heading: the part that must equal the lab's printed output.</summary>
    public static string Tables(ReportConfig config, IReadOnlyDictionary<string, SegmentationMetrics> metrics) => Tables(config, metrics, null);

    /// <summary>The lab's tables (means over seeds), each followed by its interval table when some experiment has several seeds.</summary>
    public static string Tables(ReportConfig config, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs)
    {
        var tables = Tables(config, SeedTables.Means(runs), runs);
        return tables + (SeedTables.AnyInterval(runs) ? SeedTables.Differences(config.Comparisons, runs) : SeedTables.OneSeedNote);
    }

    private static string Tables(ReportConfig config, IReadOnlyDictionary<string, SegmentationMetrics> metrics, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>>? runs)
    {
        var sb = new StringBuilder();
        foreach (var table in config.Tables)
        {
            sb.Append("## ").Append(table.Title).Append("\n\n");
            var rows = table.Rows.Select(r => metrics.TryGetValue(r.Experiment, out var m)
                ? (r.Label, HeadlineMetrics.LabColumns.Select(c => c.Read(m)).ToArray())
                : throw new KeyNotFoundException($"no metrics for experiment '{r.Experiment}' (row '{r.Label}')")).ToList();
            sb.Append(PipeTable.Render(Columns, rows)).Append('\n');
            if (rows.Any(r => r.Item2.Any(double.IsNaN)))
                sb.Append(PipeTable.NotAvailable).Append(": no valid pixel in the test set (every target pixel is the ignored border), so mean IoU is undefined; ")
                  .Append("torchmetrics reports NaN there and 0 for F1 and accuracy.\n\n");
            if (runs is not null && SeedTables.AnyInterval(runs)) sb.Append(SeedTables.Intervals(table, runs));
            if (runs is not null && table.Matrix) sb.Append(ValidationChoice.Render(table, runs));
        }
        return sb.ToString();
    }

    public static string Render(ReportInput input)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(input.Config.Title).Append("\n\n");
        bool several = input.ClassNames.Count > Core.SegmentationLabels.Classes; // the lab's two keep the lab's words
        sb.Append($"Test-set metrics over all non-ignored pixels ({(several ? "label 255 — the trimap border, or dataset.folder.ignore's values — excluded" : "trimap border = 255 excluded")}), ")
          .Append($"as torchmetrics computes them: pixel error = 1 − accuracy, F1 weighted by class support, mean IoU over {(several ? $"the {input.ClassNames.Count} classes" : "classes")}.\n\n");
        if (input.TileScale is { } scale)
            sb.Append($"Each image was scaled by {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}, its aspect kept, and cut into {input.ImageSize}×{input.ImageSize} tiles (`preprocess.tiles`); ")
              .Append("the models trained and were scored on those tiles, so every pixel of each image at that scale counts once. The sample predictions show tiles.\n\n");
        sb.Append(Tables(input.Config, input.Runs));

        sb.Append(PerClassTable.Render(input.Runs, input.ClassNames));
        sb.Append(CrossValidationTable.Render(input.Runs, input.Ensembles));
        sb.Append(EnsembleTable.Render(input.Runs, input.Ensembles));
        sb.Append(NativeSizeTable.Render(input.Runs, input.TileScale is null ? $"{input.ImageSize}×{input.ImageSize}" : $"{input.ImageSize}×{input.ImageSize} tiles"));
        sb.Append(BreedTable.Render(input.PerImage));
        if (input.IouChart is not null)
            sb.Append("## Mean IoU per experiment\n\n").Append("Mean over seeds; the error bars are the 95 % confidence half-widths (none with one seed).\n\n")
              .Append("![mean IoU per experiment](").Append(input.IouChart).Append(")\n\n");
        if (input.LossChart is not null)
            sb.Append("## Training loss\n\n").Append("Every experiment's train loss (its first seed): per batch, smoothed over a quarter epoch (line), and each epoch's mean (points).\n\n")
              .Append("![train loss of every experiment](").Append(input.LossChart).Append(")\n\n");
        if (input.ValidationChart is not null)
            sb.Append("## Validation mean IoU per epoch\n\n").Append("The experiments whose training held images out of trainval (`validation:`): their mean IoU on those images after every epoch (first seed), the best epoch circled.\n\n")
              .Append("![validation mean IoU per epoch](").Append(input.ValidationChart).Append(")\n\n");
        if (input.PredictionGrids.Count > 0)
        {
            sb.Append("## Predictions: best and worst test images\n\n")
              .Append("Per experiment (first seed): the test images it segments best and worst (by the image's own mean IoU) and how ")
              .Append("the per-image IoU is spread. Each grid row: image | true mask | predicted mask (white = pet, black = background, grey = ignored border).\n\n");
            foreach (var e in input.Experiments.Where(input.PredictionGrids.ContainsKey))
            {
                var f = input.PredictionGrids[e];
                sb.Append("### ").Append(e).Append("\n\n| best | worst | per-image IoU |\n|:--:|:--:|:--:|\n| ")
                  .Append(f.Best is null ? "" : $"![{e} best]({f.Best})").Append(" | ")
                  .Append(f.Worst is null ? "" : $"![{e} worst]({f.Worst})").Append(" | ")
                  .Append($"![{e} per-image IoU]({f.Histogram})").Append(" |\n\n");
            }
        }

        // Keys, not durations: the report is a function of the results, so it is the same bytes wherever it is built
        // (locally, on a cluster, pulled from a remote). Durations stay in each stage's entry.json.
        sb.Append("## Run metadata\n\n| Stage | Key |\n|:--|:--|\n");
        foreach (var s in input.Stages)
            sb.Append("| ").Append(s.Stage).Append(" | `").Append(s.Key).Append("` |\n");
        sb.Append('\n');
        foreach (var (name, value) in input.Environment) sb.Append("- ").Append(name).Append(": ").Append(value).Append('\n');
        return sb.ToString();
    }
}
