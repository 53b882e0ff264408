namespace PetSeg.Data.Imaging;

/// <summary>
/// OpenCV's <c>cv2.resize</c> on 8-bit images as albumentations' <c>Resize</c> calls it, reproduced operation for
/// operation so the pixels equal the lab's: INTER_LINEAR for images, INTER_NEAREST for masks.
/// </summary>
/// <remarks>
/// INTER_LINEAR (not INTER_LINEAR_EXACT) is what the lab runs, and it differs from exact bilinear by up to one level:
/// the source coordinate is computed in single precision, each of the two weights is rounded to 11-bit fixed point on
/// its own (they need not sum to 2048), the vertical weights are not clamped at the borders (the rows are), and
/// OpenCV's SIMD vertical pass, which handles all but the last few values of a row, drops 4 + 16 low bits before
/// adding, where its scalar tail rounds the exact sum. An exact 2× shrink is routed to INTER_AREA (the 2×2 mean).
/// </remarks>
public static class Resize
{
    private const int CoefBits = 11, CoefScale = 1 << CoefBits;
    private const double DblEpsilon = 2.220446049250313e-16; // C's DBL_EPSILON (not double.Epsilon)

    /// <summary>Bytes of one SIMD register in OpenCV's baseline build (SSE2/NEON: 128-bit), which sets where the scalar tail starts.</summary>
    private const int SimdBytes = 16;

    /// <summary>Bilinear resize of an HWC uint8 image, equal to <c>cv2.resize(img, (dstW, dstH), interpolation=cv2.INTER_LINEAR)</c>.</summary>
    public static byte[] Bilinear(ReadOnlySpan<byte> src, int srcW, int srcH, int channels, int dstW, int dstH)
    {
        var dst = new byte[dstW * dstH * channels];
        if (srcW == dstW && srcH == dstH) { src.CopyTo(dst); return dst; }
        double scaleX = 1.0 / ((double)dstW / srcW), scaleY = 1.0 / ((double)dstH / srcH);
        if (IsExactly(scaleX, 2) && IsExactly(scaleY, 2)) { AreaHalf(src, srcW, channels, dst, dstW, dstH); return dst; }

        var (xOfs, xCoef) = HorizontalTaps(srcW, dstW, scaleX);
        int width = dstW * channels, vectorEnd = SimdEnd(width);
        var row0 = new int[width];
        var row1 = new int[width];
        int cached0 = -1, cached1 = -1;
        for (int dy = 0; dy < dstH; dy++)
        {
            float fy = (float)((dy + 0.5) * scaleY - 0.5);
            int sy = (int)MathF.Floor(fy);
            fy -= sy;
            int b0 = RoundToShort((1f - fy) * CoefScale), b1 = RoundToShort(fy * CoefScale);
            int y0 = Math.Clamp(sy, 0, srcH - 1), y1 = Math.Clamp(sy + 1, 0, srcH - 1);
            if (cached0 != y0) { HorizontalRow(src.Slice(y0 * srcW * channels, srcW * channels), row0, xOfs, xCoef, channels); cached0 = y0; }
            if (cached1 != y1)
            {
                if (y1 == y0) Array.Copy(row0, row1, width);
                else HorizontalRow(src.Slice(y1 * srcW * channels, srcW * channels), row1, xOfs, xCoef, channels);
                cached1 = y1;
            }
            var outRow = dst.AsSpan(dy * width, width);
            for (int i = 0; i < vectorEnd; i++) // the SIMD path: (S >> 4) · b >> 16 per row, then (sum + 2) >> 2
                outRow[i] = (byte)Math.Clamp(((((row0[i] >> 4) * b0) >> 16) + (((row1[i] >> 4) * b1) >> 16) + 2) >> 2, 0, 255);
            for (int i = vectorEnd; i < width; i++) // the scalar tail: the exact sum, rounded
                outRow[i] = (byte)Math.Clamp((row0[i] * b0 + row1[i] * b1 + (1 << (2 * CoefBits - 1))) >> (2 * CoefBits), 0, 255);
        }
        return dst;
    }

    /// <summary>Nearest-neighbour resize of a single-channel mask: <c>floor(x · src/dst)</c>, as INTER_NEAREST.</summary>
    public static byte[] Nearest(ReadOnlySpan<byte> src, int srcW, int srcH, int dstW, int dstH)
    {
        var dst = new byte[dstW * dstH];
        var xs = new int[dstW];
        double sx = 1.0 / ((double)dstW / srcW), sy = 1.0 / ((double)dstH / srcH);
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

    private static bool IsExactly(double scale, int value) => Math.Abs(scale - Math.Round(scale, MidpointRounding.ToEven)) < DblEpsilon && (int)Math.Round(scale) == value;

    /// <summary>INTER_AREA's fast path for an exact 2× shrink: the rounded mean of each 2×2 block.</summary>
    private static void AreaHalf(ReadOnlySpan<byte> src, int srcW, int channels, byte[] dst, int dstW, int dstH)
    {
        int srcStride = srcW * channels;
        for (int dy = 0; dy < dstH; dy++)
        {
            var a = src.Slice(2 * dy * srcStride, srcStride);
            var b = src.Slice((2 * dy + 1) * srcStride, srcStride);
            for (int dx = 0; dx < dstW; dx++)
                for (int c = 0; c < channels; c++)
                {
                    int i = 2 * dx * channels + c;
                    dst[(dy * dstW + dx) * channels + c] = (byte)((a[i] + a[i + channels] + b[i] + b[i + channels] + 2) >> 2);
                }
        }
    }

    /// <summary>Where OpenCV's vertical SIMD loops stop: full 16-byte blocks, then 8-value blocks while more than 8 remain.</summary>
    private static int SimdEnd(int width)
    {
        int x = 0;
        while (x <= width - SimdBytes) x += SimdBytes;
        while (x < width - SimdBytes / 2) x += SimdBytes / 2;
        return x;
    }

    private static void HorizontalRow(ReadOnlySpan<byte> row, int[] output, int[] xOfs, int[] xCoef, int channels)
    {
        int srcW = row.Length / channels;
        for (int dx = 0; dx < xOfs.Length; dx++)
        {
            int x0 = xOfs[dx], x1 = Math.Min(x0 + 1, srcW - 1);
            int a0 = xCoef[2 * dx], a1 = xCoef[2 * dx + 1];
            for (int c = 0; c < channels; c++)
                output[dx * channels + c] = row[x0 * channels + c] * a0 + row[x1 * channels + c] * a1;
        }
    }

    /// <summary>Source column and the two 11-bit weights per destination column; outside the image the edge column with weight 1.</summary>
    private static (int[] Offsets, int[] Coefs) HorizontalTaps(int srcW, int dstW, double scaleX)
    {
        var ofs = new int[dstW];
        var coef = new int[2 * dstW];
        for (int dx = 0; dx < dstW; dx++)
        {
            float fx = (float)((dx + 0.5) * scaleX - 0.5);
            int sx = (int)MathF.Floor(fx);
            fx -= sx;
            if (sx < 0) (sx, fx) = (0, 0f);
            if (sx >= srcW - 1) (sx, fx) = (srcW - 1, 0f);
            ofs[dx] = sx;
            coef[2 * dx] = RoundToShort((1f - fx) * CoefScale);
            coef[2 * dx + 1] = RoundToShort(fx * CoefScale);
        }
        return (ofs, coef);
    }

    /// <summary>OpenCV's <c>saturate_cast&lt;short&gt;(float)</c>: round half to even.</summary>
    private static int RoundToShort(float v) => (int)Math.Round(v, MidpointRounding.ToEven);
}
