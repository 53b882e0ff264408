namespace PetSeg.Metrics;

/// <summary>Metrics on the validation images held out of training, and how many there were.</summary>
public sealed record HeldOutMetrics(int Images, SegmentationMetrics Metrics);
