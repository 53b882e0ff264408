namespace PetSeg.Metrics;

/// <summary>
/// Metrics of the test split at each image's own size: every prediction brought back to its mask's size as
/// <c>predict</c> writes it and compared with the mask as the dataset has it, not resized. <paramref name="Images"/>: how many.
/// </summary>
public sealed record NativeSizeMetrics(int Images, SegmentationMetrics Metrics);
