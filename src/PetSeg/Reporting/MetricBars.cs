using PetSeg.Reporting.Statistics;

namespace PetSeg.Reporting;

/// <summary>One bar per experiment (a metric's mean over seeds) with its 95 % confidence half-width as an error bar.</summary>
public static class MetricBars
{
    public static string Write(string path, string title, IReadOnlyList<(string Label, SeedInterval Value)> bars)
    {
        var plot = new ScottPlot.Plot();
        var items = bars.Select((b, i) => new ScottPlot.Bar
        {
            Position = i,
            Value = double.IsNaN(b.Value.Mean) ? 0 : b.Value.Mean,
            Error = b.Value.HalfWidth ?? 0,
        }).ToList();
        plot.Add.Bars(items);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => b.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 150;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        return PlotFile.Write(plot, path, 900, 480);
    }
}
