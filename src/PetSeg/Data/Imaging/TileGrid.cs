namespace PetSeg.Data.Imaging;

/// <summary>
/// How an image is cut into <see cref="Size"/>² tiles for a model that trains on tiles (<c>preprocess.tiles</c>) instead of
/// on the whole image squeezed to one square: the image is scaled first (OpenCV bilinear as the whole-image resize;
/// masks nearest), keeping its aspect ratio, then cut on a grid from its top-left corner. The last row and column run
/// past the image's edge and are padded — black pixels, ignored labels (255) — so every pixel lies in exactly one tile
/// and counts once in a confusion matrix over the tiles: the image's own figures, at the scaled size.
/// </summary>
/// <param name="ScaledWidth">The image's width once scaled (at least 1).</param>
/// <param name="ScaledHeight">Its height once scaled.</param>
/// <param name="Size">A tile's side: the size the model trains at.</param>
public sealed record TileGrid(int ScaledWidth, int ScaledHeight, int Size)
{
    public const byte ImagePadding = 0, MaskPadding = 255;

    public int Columns => (ScaledWidth + Size - 1) / Size;
    public int Rows => (ScaledHeight + Size - 1) / Size;
    public int Count => Rows * Columns;

    /// <summary>The grid of a <paramref name="width"/>×<paramref name="height"/> image scaled by <paramref name="scale"/>.</summary>
    public static TileGrid For(int width, int height, double scale, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"a tile scale is positive, not {scale}");
        return new TileGrid(Scaled(width, scale), Scaled(height, scale), size);
    }

    /// <summary>A length scaled and rounded half away from zero, never below one pixel.</summary>
    public static int Scaled(int length, double scale) => Math.Max(1, (int)Math.Round(length * scale, MidpointRounding.AwayFromZero));

    /// <summary>The tile's place in the grid, row-major.</summary>
    public (int Row, int Column) Position(int tile) => (tile / Columns, tile % Columns);

    /// <summary>The part of a tile that lies on the scaled image: its top-left corner there, and its width and height.</summary>
    private (int X, int Y, int Width, int Height) Inside(int tile)
    {
        var (row, column) = Position(tile);
        int x = column * Size, y = row * Size;
        return (x, y, Math.Min(Size, ScaledWidth - x), Math.Min(Size, ScaledHeight - y));
    }

    /// <summary>An HWC image at the grid's scaled size (bilinear; the same array when no scaling is needed).</summary>
    public byte[] ScaleImage(RawImage image) => image.Width == ScaledWidth && image.Height == ScaledHeight
        ? image.Pixels : Resize.Bilinear(image.Pixels, image.Width, image.Height, image.Channels, ScaledWidth, ScaledHeight);

    /// <summary>A mask at the grid's scaled size (nearest: labels are not blended). Its own size may differ from its image's, as the lab allows.</summary>
    public byte[] ScaleMask(RawImage mask) => mask.Width == ScaledWidth && mask.Height == ScaledHeight
        ? mask.Pixels : Resize.Nearest(mask.Pixels, mask.Width, mask.Height, ScaledWidth, ScaledHeight);

    /// <summary>Tile <paramref name="tile"/> of a scaled HWC array of <paramref name="channels"/> channels, into
    /// <paramref name="dst"/> (Size²·channels, HWC), padded with <paramref name="fill"/> past the image's edge.</summary>
    public void Cut(ReadOnlySpan<byte> scaled, int channels, int tile, byte fill, Span<byte> dst) =>
        CutAt(scaled, ScaledWidth, channels, Inside(tile), Size, fill, dst);

    /// <summary>The <paramref name="size"/>² square whose part on the image is <paramref name="at"/>, padded with <paramref name="fill"/> past the edge (tiles and sliding windows alike).</summary>
    internal static void CutAt(ReadOnlySpan<byte> scaled, int scaledWidth, int channels, (int X, int Y, int Width, int Height) at, int size, byte fill, Span<byte> dst)
    {
        var (x0, y0, w, h) = at;
        if (w < size || h < size) dst[..(size * size * channels)].Fill(fill);
        for (int y = 0; y < h; y++)
            scaled.Slice(((y0 + y) * scaledWidth + x0) * channels, w * channels).CopyTo(dst.Slice(y * size * channels, w * channels));
    }

    /// <summary>Puts a tile's Size² labels back in place in a ScaledWidth×ScaledHeight label map (its padding dropped).</summary>
    public void Place(ReadOnlySpan<byte> tileLabels, int tile, Span<byte> scaled)
    {
        var (x0, y0, w, h) = Inside(tile);
        for (int y = 0; y < h; y++)
            tileLabels.Slice(y * Size, w).CopyTo(scaled.Slice((y0 + y) * ScaledWidth + x0, w));
    }
}
