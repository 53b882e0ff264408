using PetSeg.IO;

namespace PetSeg.Reporting;

/// <summary>Training-loss curve of one experiment as a PNG (ScottPlot).</summary>
public static class LossPlot
{
    public static string Write(string path, string title, IReadOnlyList<double> epochLosses)
    {
        var plot = new ScottPlot.Plot();
        var epochs = Enumerable.Range(1, epochLosses.Count).Select(e => (double)e).ToArray();
        if (epochLosses.Count > 0) plot.Add.Scatter(epochs, epochLosses.ToArray());
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("train loss (cross-entropy)");
        var bytes = plot.GetImageBytes(640, 400, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, fs => fs.Write(bytes));
        return path;
    }
}
