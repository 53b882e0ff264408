namespace PetSeg.Data.Imaging;

/// <summary>
/// Overlapping <see cref="Size"/>² windows over a scaled image, for predicting with a model trained on tiles without
/// seams: where <see cref="TileGrid"/> cuts each pixel into one tile (at a tile's edge the model sees half the context
/// it trained with), windows overlap by at least the asked fraction and each pixel is predicted by several, blended with
/// the most weight where it is nearest a window's centre (<c>Inference/WindowBlend</c>). Placed as nnU-Net places them:
/// n = ⌈(L − S) / (S·(1 − overlap))⌉ + 1 windows per axis, evenly spaced from the first edge to the last, so the last
/// window ends on the image's edge rather than past it; an axis shorter than a window has one, padded past the edge.
/// </summary>
/// <param name="ScaledWidth">The scaled image's width.</param>
/// <param name="ScaledHeight">Its height.</param>
/// <param name="Size">A window's side: the size the model trained at.</param>
/// <param name="Xs">Each column of windows' left edge.</param>
/// <param name="Ys">Each row of windows' top edge.</param>
public sealed record SlidingWindows(int ScaledWidth, int ScaledHeight, int Size, IReadOnlyList<int> Xs, IReadOnlyList<int> Ys)
{
    /// <summary>The largest overlap accepted: beyond it the windows multiply (0.9 is already 100 per tile's area).</summary>
    public const double MaxOverlap = 0.9;

    public int Count => Xs.Count * Ys.Count;

    /// <summary>Windows of <paramref name="size"/>² over a <paramref name="width"/>×<paramref name="height"/> scaled image, overlapping by at least <paramref name="overlap"/>.</summary>
    public static SlidingWindows For(int width, int height, int size, double overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(overlap is >= 0 and <= MaxOverlap)) throw new ArgumentOutOfRangeException(nameof(overlap), $"an overlap is between 0 and {MaxOverlap}, not {overlap}");
        return new SlidingWindows(width, height, size, Starts(width, size, overlap), Starts(height, size, overlap));
    }

    /// <summary>The windows' starts along an axis of <paramref name="length"/> pixels.</summary>
    public static int[] Starts(int length, int size, double overlap)
    {
        if (length <= size) return [0];
        double stride = Math.Max(1, size * (1 - overlap));
        int n = (int)Math.Ceiling((length - size) / stride - 1e-9) + 1;
        return [.. Enumerable.Range(0, n).Select(i => (int)Math.Round((double)i * (length - size) / (n - 1), MidpointRounding.AwayFromZero))];
    }

    /// <summary>Window <paramref name="window"/>'s top-left corner (row-major), and how much of it lies on the image.</summary>
    public (int X, int Y, int Width, int Height) Inside(int window)
    {
        int x = Xs[window % Xs.Count], y = Ys[window / Xs.Count];
        return (x, y, Math.Min(Size, ScaledWidth - x), Math.Min(Size, ScaledHeight - y));
    }

    /// <summary>Window <paramref name="window"/> of a scaled HWC array into <paramref name="dst"/> (Size²·channels), padded with <paramref name="fill"/> past the edge.</summary>
    public void Cut(ReadOnlySpan<byte> scaled, int channels, int window, byte fill, Span<byte> dst) =>
        TileGrid.CutAt(scaled, ScaledWidth, channels, Inside(window), Size, fill, dst);
}
