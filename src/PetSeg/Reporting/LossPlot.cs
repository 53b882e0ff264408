using PetSeg.IO;

namespace PetSeg.Reporting;

/// <summary>Training-loss curves as PNGs (ScottPlot): every experiment on one chart, per-epoch points joined.</summary>
public static class LossPlot
{
    /// <summary>One line per experiment (its per-epoch train loss), with a legend, so the curves compare at a glance.</summary>
    public static string WriteAll(string path, string title, IReadOnlyDictionary<string, IReadOnlyList<double>> curves)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, losses) in curves.Where(c => c.Value.Count > 0))
        {
            var line = plot.Add.Scatter(Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray(), losses.ToArray());
            line.LegendText = name;
            line.MarkerSize = 6;
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("train loss (cross-entropy)");
        plot.ShowLegend(ScottPlot.Edge.Right);
        var bytes = plot.GetImageBytes(900, 420, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, fs => fs.Write(bytes));
        return path;
    }
}
