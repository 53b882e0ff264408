namespace PetSeg.Metrics;

/// <summary>
/// One headline metric: its key (in metrics.json's terms, pipeline.lock and <c>exp show</c>), how to read it from an
/// evaluation, which way is better, and how the lab's report tables head it (null: not one of the lab's columns).
/// </summary>
/// <param name="SeedLabel">Its name in the report's seed-interval and difference tables.</param>
/// <param name="Write">An evaluation with this metric replaced (the report's means over seeds are built with it).</param>
/// <param name="LabColumn">Its heading in the lab's tables, whose columns and order are the lab's own.</param>
public sealed record HeadlineMetric(string Key, string Description, Func<SegmentationMetrics, double> Read, Func<SegmentationMetrics, double, SegmentationMetrics> Write,
    bool LowerIsBetter, string? SeedLabel = null, string? LabColumn = null, int LabOrder = 0);
