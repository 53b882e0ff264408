namespace PetSeg.Reporting;

/// <summary>An experiment's figures: its best and worst predicted test images (grids) and its per-image IoU histogram.</summary>
public sealed record ExperimentFigures(string? Best, string? Worst, string Histogram);
