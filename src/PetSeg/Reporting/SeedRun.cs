namespace PetSeg.Reporting;

/// <summary>One evaluated run of an experiment: its seed and its metrics.</summary>
public sealed record SeedRun(long Seed, PetSeg.Metrics.SegmentationMetrics Metrics)
{
    /// <summary>Its metrics on the validation images held out of its training, when some were.</summary>
    public PetSeg.Metrics.HeldOutMetrics? Validation { get; init; }

    /// <summary>Its test metrics at each image's own size, when they were scored.</summary>
    public PetSeg.Metrics.NativeSizeMetrics? Native { get; init; }

    /// <summary>How many epochs had trained the evaluated weights (fewer than configured with <c>keep: best</c> or <c>patience:</c>), when known.</summary>
    public int? Epochs { get; init; }

    /// <summary>A run as its evaluation's metrics.json recorded it.</summary>
    public static SeedRun Of(long seed, PetSeg.Metrics.MetricsRecord record) =>
        new(seed, record.Metrics) { Validation = record.Validation, Native = record.Native, Epochs = record.Epochs };
}
