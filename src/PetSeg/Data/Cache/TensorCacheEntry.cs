namespace PetSeg.Data.Cache;

/// <summary>One cached sample: its stem and the size of the original image (to map predictions back).</summary>
/// <param name="Tile">Where in its image the sample lies when the cache holds tiles (<c>preprocess.tiles</c>); null for a
/// whole image. The tiles of one image share its stem, follow each other, and are in row-major order.</param>
public sealed record TensorCacheEntry(string Stem, int SourceWidth, int SourceHeight, TilePosition? Tile = null)
{
    /// <summary>How the sample is named to a reader: the stem, and for a tile its place (<c>Abyssinian_1 (tile 1,0)</c>).</summary>
    public string Name => Tile is { } t ? $"{Stem} (tile {t.Row},{t.Column})" : Stem;
}
