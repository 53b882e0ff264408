namespace PetSeg.Metrics;

/// <summary>What an evaluation produced and for which run: the content of <c>metrics.json</c>, read back as the same record.</summary>
/// <param name="TrainKey">Stage key of the training run that produced the evaluated weights.</param>
public sealed record MetricsRecord(string Experiment, string Title, long Seed, string TrainKey, int Epochs, SegmentationMetrics Metrics)
{
    /// <summary>The same model on the images held out of its training split, when some were (what a choice among runs is made on).</summary>
    public HeldOutMetrics? Validation { get; init; }

    /// <summary>The same test split scored at each image's own size (<c>native_metrics</c>), when it was.</summary>
    public NativeSizeMetrics? Native { get; init; }
}
