namespace PetSeg.Reporting;

/// <summary>One evaluated run of an experiment: its seed (and fold, under cross-validation) and its metrics.</summary>
public sealed record SeedRun(long Seed, PetSeg.Metrics.SegmentationMetrics Metrics)
{
    /// <summary>The fold it held out (<c>folds:</c>), 1 … K; 0 when the experiment is not cross-validated.</summary>
    public int Fold { get; init; }

    /// <summary>Its metrics on the validation images held out of its training, when some were.</summary>
    public PetSeg.Metrics.HeldOutMetrics? Validation { get; init; }

    /// <summary>Its test metrics at each image's own size, when they were scored.</summary>
    public PetSeg.Metrics.NativeSizeMetrics? Native { get; init; }

    /// <summary>How many epochs had trained the evaluated weights (fewer than configured with <c>keep: best</c> or <c>patience:</c>), when known.</summary>
    public int? Epochs { get; init; }

    /// <summary>A run as its evaluation's metrics.json recorded it.</summary>
    public static SeedRun Of(long seed, PetSeg.Metrics.MetricsRecord record, int fold = 0) =>
        new(seed, record.Metrics) { Fold = fold, Validation = record.Validation, Native = record.Native, Epochs = record.Epochs };
}
