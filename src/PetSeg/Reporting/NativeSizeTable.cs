using System.Globalization;
using System.Text;
using PetSeg.Metrics;

namespace PetSeg.Reporting;

/// <summary>
/// The experiments scored at each test image's own size too (<c>native_metrics: true</c>): their figures there beside
/// the ones at the cache's size, so a reader sees what resizing the masks hid (edges, thin parts) and what the masks
/// <c>predict</c> writes are worth. First seed of each experiment; empty when none was scored so.
/// </summary>
public static class NativeSizeTable
{
    /// <param name="cacheSize">How the tables above scored: "224×224" or "224×224 tiles".</param>
    public static string Render(IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs, string cacheSize)
    {
        var scored = runs.Where(r => r.Value[0].Native is not null).ToList();
        if (scored.Count == 0) return "";
        var sb = new StringBuilder("## At each image's own size\n\n");
        sb.Append("The test masks as `petseg predict` writes them — each prediction brought back to its image's size — scored against ")
          .Append($"the dataset's masks as they are (`native_metrics: true`), beside the figures at {cacheSize} the tables above give; first seed of each experiment.\n\n");
        sb.Append($"| Experiment | mean IoU at {cacheSize} | mean IoU | Dice | F1 (weighted) | pixel error | images |\n|:--|--:|--:|--:|--:|--:|--:|\n");
        foreach (var (experiment, list) in scored)
        {
            var (at, native) = (list[0].Metrics, list[0].Native!);
            var n = native.Metrics;
            sb.Append($"| {experiment} | {F(at.MeanIoU)} | {F(n.MeanIoU)} | {F(n.Dice)} | {F(n.F1Weighted)} | {F(n.PixelError)} | {native.Images.ToString("N0", CultureInfo.InvariantCulture)} |\n");
        }
        return sb.Append('\n').ToString();
    }

    private static string F(double v) => double.IsNaN(v) ? PipeTable.NotAvailable : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
