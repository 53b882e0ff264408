using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Reporting;

/// <summary>
/// Per-image IoU of an evaluation (<c>per-image-iou.json</c>): which test images a model segments best and worst,
/// and their distribution as a histogram — what the headline mean hides.
/// </summary>
public static class PerImageIoU
{
    private static readonly JsonSerializerOptions Json = JsonFiles.Options();

    public static string Write(string path, IReadOnlyList<ImageIoU> images)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(images, Json) + "\n");
        return path;
    }

    public static IReadOnlyList<ImageIoU> Read(string path) =>
        JsonSerializer.Deserialize<List<ImageIoU>>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");

    /// <summary>The <paramref name="k"/> best images (highest IoU first) and the k worst (lowest first); ties by position.</summary>
    public static (int[] Best, int[] Worst) BestAndWorst(IReadOnlyList<double> ious, int k)
    {
        var valid = ious.Select((v, i) => (v, i)).Where(x => !double.IsNaN(x.v)).ToList();
        var best = valid.OrderByDescending(x => x.v).ThenBy(x => x.i).Take(k).Select(x => x.i).ToArray();
        var worst = valid.OrderBy(x => x.v).ThenBy(x => x.i).Take(k).Select(x => x.i).ToArray();
        return (best, worst);
    }

    /// <summary>A small histogram PNG of the per-image IoUs (10 bins over [0, 1]).</summary>
    public static string Histogram(string path, string title, IReadOnlyList<ImageIoU> images)
    {
        var values = images.Where(i => i.IoU is not null).Select(i => Math.Clamp(i.IoU!.Value, 0, 1)).ToArray();
        var counts = new double[10];
        foreach (var v in values) counts[Math.Min(9, (int)(v * 10))]++;
        var plot = new ScottPlot.Plot();
        plot.Add.Bars(counts.Select((c, b) => new ScottPlot.Bar { Position = b * 0.1 + 0.05, Value = c, Size = 0.09 }).ToList());
        plot.Title(title);
        plot.XLabel("per-image mean IoU");
        plot.YLabel("test images");
        plot.Axes.SetLimitsX(0, 1);
        return PlotFile.Write(plot, path, 480, 260);
    }
}
