namespace PetSeg.Metrics;

/// <summary>
/// The lab's three numbers, computed exactly as torchmetrics 1.7 does from the accumulated counts:
/// pixel error = 1 − micro accuracy; F1 weighted by target support; macro IoU over the classes present in
/// the target or the predictions (a class absent from both is left out of the mean, not counted as 0). Beyond the lab:
/// <see cref="Dice"/>, what smp's examples report.
/// </summary>
public sealed record SegmentationMetrics(double PixelError, double F1Weighted, double MeanIoU, double Accuracy, long ValidPixels, IReadOnlyList<ClassMetrics> PerClass)
{
    /// <summary>Pixel counts, rows = target class, columns = predicted class (ignored pixels excluded).</summary>
    public long[][] ConfusionMatrix { get; init; } = [];

    /// <summary>
    /// Dice (= F1 per class) averaged over the classes present in the target or the predictions, from the accumulated
    /// counts: torchmetrics' <c>F1Score(task="multiclass", average="macro", ignore_index=255)</c>. NaN when nothing is
    /// valid, and in metrics.json files written before it was recorded.
    /// </summary>
    public double Dice { get; init; } = double.NaN;

    public static SegmentationMetrics From(ConfusionMatrix m)
    {
        int c = m.NumClasses;
        var perClass = new List<ClassMetrics>(c);
        long total = 0, correct = 0;
        double iouSum = 0, iouWeight = 0, diceSum = 0, f1Sum = 0, supportSum = 0;
        for (int k = 0; k < c; k++)
        {
            long tp = m[k, k], row = 0, col = 0;
            for (int j = 0; j < c; j++) { row += m[k, j]; col += m[j, k]; }
            long fp = col - tp, fn = row - tp;
            total += row;
            correct += tp;
            double iou = SafeDiv(tp, tp + fp + fn);
            double f1 = SafeDiv(2 * tp, 2 * tp + fp + fn);
            perClass.Add(new ClassMetrics(k, iou, f1, SafeDiv(tp, tp + fp), SafeDiv(tp, tp + fn), row, col));
            bool inRangeIgnore = m.IgnoreIndex == k;
            if (row + col > 0 && !inRangeIgnore) { iouSum += iou; diceSum += f1; iouWeight += 1; }
            f1Sum += f1 * row;
            supportSum += row;
        }
        double accuracy = SafeDiv(correct, total);
        double meanIoU = iouWeight > 0 ? iouSum / iouWeight : double.NaN;
        return new SegmentationMetrics(1 - accuracy, supportSum > 0 ? f1Sum / supportSum : 0, meanIoU, accuracy, total, perClass)
        {
            ConfusionMatrix = m.ToRows(),
            Dice = iouWeight > 0 ? diceSum / iouWeight : double.NaN,
        };
    }

    private static double SafeDiv(double a, double b) => b == 0 ? 0 : a / b;
}
