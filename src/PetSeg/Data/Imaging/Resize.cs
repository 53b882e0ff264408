namespace PetSeg.Data.Imaging;

/// <summary>
/// OpenCV's resize semantics (what albumentations' Resize calls): INTER_LINEAR for images with half-pixel centres,
/// clamped edges, no antialiasing and 11-bit fixed-point weights; INTER_NEAREST for masks with floor(dx·scale).
/// </summary>
public static class Resize
{
    private const int CoefBits = 11, CoefScale = 1 << CoefBits;

    /// <summary>Bilinear resize of an HWC uint8 image.</summary>
    public static byte[] Bilinear(ReadOnlySpan<byte> src, int srcW, int srcH, int channels, int dstW, int dstH)
    {
        var dst = new byte[dstW * dstH * channels];
        if (srcW == dstW && srcH == dstH) { src.CopyTo(dst); return dst; }
        var (xOfs, xCoef) = Taps(srcW, dstW);
        var (yOfs, yCoef) = Taps(srcH, dstH);

        // Horizontal pass into int rows scaled by 2^11, then vertical pass scaled by 2^22 with rounding.
        var rows = new int[2][];
        rows[0] = new int[dstW * channels];
        rows[1] = new int[dstW * channels];
        int cachedRow0 = -1, cachedRow1 = -1;
        for (int dy = 0; dy < dstH; dy++)
        {
            int sy0 = yOfs[dy], sy1 = Math.Min(sy0 + 1, srcH - 1);
            if (cachedRow0 != sy0) { HorizontalRow(src.Slice(sy0 * srcW * channels, srcW * channels), rows[0], xOfs, xCoef, srcW, channels); cachedRow0 = sy0; }
            if (cachedRow1 != sy1) { HorizontalRow(src.Slice(sy1 * srcW * channels, srcW * channels), rows[1], xOfs, xCoef, srcW, channels); cachedRow1 = sy1; }
            int b0 = yCoef[2 * dy], b1 = yCoef[2 * dy + 1];
            var r0 = rows[0]; var r1 = rows[1];
            var outRow = dst.AsSpan(dy * dstW * channels, dstW * channels);
            for (int i = 0; i < outRow.Length; i++)
            {
                long v = (long)r0[i] * b0 + (long)r1[i] * b1;
                outRow[i] = (byte)Math.Clamp((v + (1L << (2 * CoefBits - 1))) >> (2 * CoefBits), 0, 255);
            }
        }
        return dst;
    }

    /// <summary>Nearest-neighbour resize of a single-channel mask.</summary>
    public static byte[] Nearest(ReadOnlySpan<byte> src, int srcW, int srcH, int dstW, int dstH)
    {
        var dst = new byte[dstW * dstH];
        var xs = new int[dstW];
        double sx = (double)srcW / dstW, sy = (double)srcH / dstH;
        for (int x = 0; x < dstW; x++) xs[x] = Math.Min((int)Math.Floor(x * sx), srcW - 1);
        for (int y = 0; y < dstH; y++)
        {
            int yy = Math.Min((int)Math.Floor(y * sy), srcH - 1);
            var row = src.Slice(yy * srcW, srcW);
            var outRow = dst.AsSpan(y * dstW, dstW);
            for (int x = 0; x < dstW; x++) outRow[x] = row[xs[x]];
        }
        return dst;
    }

    private static void HorizontalRow(ReadOnlySpan<byte> row, int[] output, int[] xOfs, int[] xCoef, int srcW, int channels)
    {
        int dstW = xOfs.Length;
        for (int dx = 0; dx < dstW; dx++)
        {
            int x0 = xOfs[dx], x1 = Math.Min(x0 + 1, srcW - 1);
            int a0 = xCoef[2 * dx], a1 = xCoef[2 * dx + 1];
            for (int c = 0; c < channels; c++)
                output[dx * channels + c] = row[x0 * channels + c] * a0 + row[x1 * channels + c] * a1;
        }
    }

    /// <summary>Source index and the two fixed-point weights for each destination coordinate.</summary>
    private static (int[] Offsets, int[] Coefs) Taps(int srcLen, int dstLen)
    {
        var ofs = new int[dstLen];
        var coef = new int[2 * dstLen];
        double scale = (double)srcLen / dstLen;
        for (int d = 0; d < dstLen; d++)
        {
            double s = (d + 0.5) * scale - 0.5;
            int i = (int)Math.Floor(s);
            double f = s - i;
            if (i < 0) { i = 0; f = 0; }
            if (i >= srcLen - 1) { i = srcLen - 1; f = 0; }
            ofs[d] = i;
            int c0 = (int)Math.Round((1 - f) * CoefScale);
            coef[2 * d] = c0;
            coef[2 * d + 1] = CoefScale - c0;
        }
        return (ofs, coef);
    }
}
