using PetSeg.Metrics;

namespace PetSeg.Tests.Metrics;

/// <summary>
/// <c>run evaluate-… --check</c> tells metrics that differ by what moved: the headline figures (from what to what, in
/// full) and the pixels that changed class; equal metrics say nothing, another evaluated model is named.
/// </summary>
public sealed class MetricsDifferenceTests
{
    private static MetricsRecord Record(double meanIoU, long[][] matrix, string trainKey = "xxh128:aa") =>
        new("unet-base", "Unet", 42, trainKey, 5, new SegmentationMetrics(0.0400, 0.9600, meanIoU, 0.9600, 200, []) { ConfusionMatrix = matrix, Dice = 0.98 });

    [Fact]
    public void Metrics_that_moved_are_named_with_both_values_and_the_pixels_that_changed_class()
    {
        long[][] stored = [[100, 5], [3, 92]], now = [[99, 6], [3, 92]];
        Assert.Null(MetricsDifference.Describe(Record(0.9642, stored), Record(0.9642, stored)));
        Assert.Equal("mean IoU 0.96421 stored, 0.96418 now (0.9642 in the report either way); 1 of 200 pixels in other cells of the confusion matrix",
            MetricsDifference.Describe(Record(0.96421, stored), Record(0.96418, now)));
        Assert.Equal("mean IoU 0.964205 stored, 0.964149 now (the report's 0.9642 becomes 0.9641)", MetricsDifference.Describe(Record(0.964205, stored), Record(0.964149, stored)));
        Assert.Equal("another model evaluated (xxh128:aa stored, xxh128:bb now)", MetricsDifference.Describe(Record(0.9642, stored), Record(0.9642, stored, "xxh128:bb")));
        Assert.Equal("the confusion matrices have other shapes", MetricsDifference.Describe(Record(0.9642, stored), Record(0.9642, [[200]])));
    }
}
