using PetSeg.Training;

namespace PetSeg.Reporting;

/// <summary>
/// The validation curves on one PNG (ScottPlot): each experiment's mean IoU on the images its training held out, after
/// every epoch, with the best epoch marked. Where it peaks before the last epoch, more epochs were not helping.
/// </summary>
public static class ValidationPlot
{
    /// <summary>Whether any experiment has a curve to draw.</summary>
    public static bool Any(IReadOnlyDictionary<string, LossHistory> curves) => curves.Values.Any(c => c.ValidationMeanIoU is { Count: > 0 });

    public static string Write(string path, string title, IReadOnlyDictionary<string, LossHistory> curves)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int i = 0;
        foreach (var (name, history) in curves.Where(c => c.Value.ValidationMeanIoU is { Count: > 0 }))
        {
            var color = palette.GetColor(i++);
            var y = history.ValidationMeanIoU!.Select(v => double.IsNaN(v) ? 0 : v).ToArray();
            var x = Enumerable.Range(1, y.Length).Select(e => (double)e).ToArray();
            var line = plot.Add.Scatter(x, y, color);
            line.LineWidth = 1.5f;
            line.MarkerSize = 5;
            line.LegendText = name;
            int best = Array.IndexOf(y, y.Max());
            var marker = plot.Add.Marker(x[best], y[best], ScottPlot.MarkerShape.OpenCircle, 14, color);
            marker.MarkerLineWidth = 2;
        }
        return PlotFile.WriteEpochChart(plot, path, title, "epoch (circle: the best)", "validation mean IoU");
    }
}
