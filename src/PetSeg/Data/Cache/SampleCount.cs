namespace PetSeg.Data.Cache;

/// <summary>How many samples a set holds, in words: "40 images", or for a cache of tiles "212 tiles of 40 images".</summary>
public static class SampleCount
{
    public static string Of(ISampleSet set)
    {
        if (set.Entries.All(e => e.Tile is null)) return $"{set.Count:N0} images";
        int images = set.Entries.Select(e => e.Stem).Distinct(StringComparer.Ordinal).Count();
        return $"{set.Count:N0} tiles of {images:N0} images";
    }
}
