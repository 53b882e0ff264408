namespace PetSeg.Data.Cache;

/// <summary>A tile's row and column in its image's <see cref="Imaging.TileGrid"/> (row 0, column 0 at the top left).</summary>
public sealed record TilePosition(int Row, int Column);
