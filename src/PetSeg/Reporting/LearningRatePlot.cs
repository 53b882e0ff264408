using PetSeg.Training;

namespace PetSeg.Reporting;

/// <summary>
/// A learning-rate range test on one PNG (ScottPlot): the smoothed loss against the rate on a log axis (the raw losses
/// faint behind it), the suggested rate marked. The useful rates are where the curve falls steeply, before its minimum.
/// </summary>
public static class LearningRatePlot
{
    public static string Write(string path, string title, LearningRateSweep sweep, double? current)
    {
        var plot = new ScottPlot.Plot();
        var x = sweep.Rates.Select(Math.Log10).ToArray();
        var raw = plot.Add.Scatter(x, sweep.Losses.ToArray(), ScottPlot.Colors.Gray.WithAlpha(0.35));
        raw.MarkerSize = 0;
        raw.LegendText = "loss";
        var line = plot.Add.Scatter(x, sweep.Smoothed.ToArray(), ScottPlot.Colors.Blue);
        line.MarkerSize = 0;
        line.LineWidth = 2;
        line.LegendText = "smoothed";
        if (sweep.Suggested is { } i)
        {
            var marker = plot.Add.Marker(x[i], sweep.Smoothed[i], ScottPlot.MarkerShape.OpenCircle, 14, ScottPlot.Colors.Red);
            marker.MarkerLineWidth = 2;
            marker.LegendText = $"suggested {sweep.Rates[i]:G2}";
        }
        if (current is { } lr && lr > 0)
        {
            var v = plot.Add.VerticalLine(Math.Log10(lr), 1, ScottPlot.Colors.Green);
            v.LegendText = $"configured {lr:G2}";
        }
        double top = sweep.Smoothed.Count > 0 ? Math.Min(sweep.Smoothed.Max(), 2 * sweep.Smoothed[0]) : 1;
        plot.Axes.SetLimitsY(0, Math.Max(top, 1e-6) * 1.05); // a diverging tail would flatten the rest
        return PlotFile.WriteEpochChart(plot, path, title, "learning rate (log₁₀)", "training loss");
    }
}
