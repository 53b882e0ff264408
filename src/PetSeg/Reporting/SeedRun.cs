namespace PetSeg.Reporting;

/// <summary>One evaluated run of an experiment: its seed and its metrics.</summary>
public sealed record SeedRun(long Seed, PetSeg.Metrics.SegmentationMetrics Metrics);
