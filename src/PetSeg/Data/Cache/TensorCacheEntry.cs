namespace PetSeg.Data.Cache;

/// <summary>One cached sample: its stem and the size of the original image (to map predictions back).</summary>
public sealed record TensorCacheEntry(string Stem, int SourceWidth, int SourceHeight);
