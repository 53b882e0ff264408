using PetSeg.IO;

namespace PetSeg.Reporting;

/// <summary>Every chart of the report is written the same way: a PNG of the given size, atomically.</summary>
public static class PlotFile
{
    public static string Write(ScottPlot.Plot plot, string path, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, fs => fs.Write(bytes));
        return path;
    }

    /// <summary>A per-epoch chart's frame: title, axis labels and the legend on the right, written 900 × 420.</summary>
    public static string WriteEpochChart(ScottPlot.Plot plot, string path, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(ScottPlot.Edge.Right);
        return Write(plot, path, 900, 420);
    }
}
