namespace PetSeg.Reporting;

/// <summary>One test image's own mean IoU (null when it has no valid pixel).</summary>
public sealed record ImageIoU(string Stem, double? IoU);
