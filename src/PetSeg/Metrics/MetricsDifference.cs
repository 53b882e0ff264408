using System.Globalization;

namespace PetSeg.Metrics;

/// <summary>
/// How two evaluations of one model differ, said for a person: which headline metrics moved (from what to what) and how
/// many pixels changed class in the confusion matrix, and whether the report's four decimals show it. For
/// <c>run --check</c> of an evaluation.
/// </summary>
public static class MetricsDifference
{
    /// <summary>Null where the metrics and the confusion matrix are the same (the file then differs elsewhere).</summary>
    public static string? Describe(MetricsRecord stored, MetricsRecord now)
    {
        var (a, b) = (stored.Metrics, now.Metrics);
        var parts = new List<string>();
        void Compare(string name, double x, double y)
        {
            if (x.Equals(y)) return;
            var (shownWas, shownNow) = (Shown(x), Shown(y));
            parts.Add($"{name} {R(x)} stored, {R(y)} now ({(shownWas == shownNow ? $"{shownWas} in the report either way" : $"the report's {shownWas} becomes {shownNow}")})");
        }
        Compare("mean IoU", a.MeanIoU, b.MeanIoU);
        Compare("Dice", a.Dice, b.Dice);
        Compare("F1 (weighted)", a.F1Weighted, b.F1Weighted);
        Compare("pixel error", a.PixelError, b.PixelError);
        if (Moved(a.ConfusionMatrix, b.ConfusionMatrix) is { } moved) parts.Add(moved);
        if (stored.TrainKey != now.TrainKey) parts.Add($"another model evaluated ({stored.TrainKey} stored, {now.TrainKey} now)");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>"37 of 365,341 pixels in other cells of the confusion matrix", or null where it is the same.</summary>
    private static string? Moved(long[][] x, long[][] y)
    {
        if (x.Length != y.Length || x.Zip(y).Any(r => r.First.Length != r.Second.Length)) return "the confusion matrices have other shapes";
        long total = x.Sum(r => r.Sum()), differ = x.Zip(y).Sum(r => r.First.Zip(r.Second).Sum(c => Math.Abs(c.First - c.Second)));
        // Each pixel that changed class leaves one cell and enters another.
        return differ == 0 ? null : $"{(differ / 2).ToString("N0", CultureInfo.InvariantCulture)} of {total.ToString("N0", CultureInfo.InvariantCulture)} pixels in other cells of the confusion matrix";
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>As the report's tables show a metric: four decimals.</summary>
    private static string Shown(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
