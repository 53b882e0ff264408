using System.Globalization;

namespace PetSeg.Metrics;

/// <summary>
/// The one table of headline metrics: the lock, <c>exp show</c>/<c>metrics diff</c>, the report's tables and the CLI's
/// help all read it, so a new metric is the metric and one row here. It lives with the metrics (not with the lab's
/// pipeline) because the report, below the pipeline, reads it too.
/// </summary>
public static class HeadlineMetrics
{
    /// <summary>In <c>exp show</c>'s column order.</summary>
    public static readonly IReadOnlyList<HeadlineMetric> All =
    [
        new("mean_iou", "mean IoU over classes", m => m.MeanIoU, (m, v) => m with { MeanIoU = v }, LowerIsBetter: false, "mean IoU", "mAP (mean IoU)", 3),
        new("dice", "Dice (F1 per class) averaged over classes, as smp's examples report", m => m.Dice, (m, v) => m with { Dice = v }, LowerIsBetter: false),
        new("f1_weighted", "F1 weighted by class support", m => m.F1Weighted, (m, v) => m with { F1Weighted = v }, LowerIsBetter: false, "F1 (weighted)", "F1 Score (Weighted)", 2),
        new("pixel_error", "1 − accuracy", m => m.PixelError, (m, v) => m with { PixelError = v }, LowerIsBetter: true, "Pixel error", "Hamming Loss (Pixel Error)", 1),
        new("accuracy", "pixel accuracy", m => m.Accuracy, (m, v) => m with { Accuracy = v }, LowerIsBetter: false),
    ];

    /// <summary>The lab's table columns, in the lab's order.</summary>
    public static readonly IReadOnlyList<HeadlineMetric> LabColumns = [.. All.Where(m => m.LabColumn is not null).OrderBy(m => m.LabOrder)];

    public static HeadlineMetric? Find(string key) => All.FirstOrDefault(m => m.Key == key);

    /// <summary>"mean_iou, f1_weighted, … (best first) or pixel_error (lowest first)": the sort options, for help and errors.</summary>
    public static string SortChoices =>
        string.Join(", ", All.Where(m => !m.LowerIsBetter).Select(m => m.Key)) + " (best first) or " +
        string.Join(", ", All.Where(m => m.LowerIsBetter).Select(m => m.Key)) + " (lowest first); val_mean_iou, … on the validation images held out of training; native_mean_iou, … at the test images' own size";

    /// <summary>Every metric as a round-trip string by key: what pipeline.lock records of an evaluation.</summary>
    public static SortedDictionary<string, string> Strings(SegmentationMetrics m) =>
        new(All.ToDictionary(h => h.Key, h => Format(h.Read(m))), StringComparer.Ordinal);

    /// <summary>The keys of the metrics on held-out validation images: <c>val_mean_iou</c>, …</summary>
    public const string ValidationPrefix = "val_";

    /// <summary>The keys of the test metrics at each image's own size: <c>native_mean_iou</c>, …</summary>
    public const string NativePrefix = "native_";

    /// <summary>The test metrics, those on the validation images when there were some (<c>val_</c>…), and those at the images' own size when scored (<c>native_</c>…).</summary>
    public static SortedDictionary<string, string> Strings(SegmentationMetrics test, SegmentationMetrics? validation, SegmentationMetrics? native = null)
    {
        var result = Strings(test);
        if (validation is not null)
            foreach (var h in All) result[ValidationPrefix + h.Key] = Format(h.Read(validation));
        if (native is not null)
            foreach (var h in All) result[NativePrefix + h.Key] = Format(h.Read(native));
        return result;
    }

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
}
