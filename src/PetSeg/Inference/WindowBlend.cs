using PetSeg.Data.Imaging;

namespace PetSeg.Inference;

/// <summary>
/// Overlapping windows' class probabilities blended into one label map, as nnU-Net's and MONAI's sliding-window
/// inference blend them: each window's probabilities weighted by a Gaussian centred on it (σ = size / 8, nnU-Net's), so
/// a pixel is decided mostly by the windows that saw it with the most context around it, and summed; the label is the
/// argmax of the sum (the first class of equals, as torch's argmax).
/// </summary>
public sealed class WindowBlend(SlidingWindows windows, int classes)
{
    private readonly float[] _weights = Gaussian(windows.Size);
    private readonly float[] _sum = new float[classes * windows.ScaledWidth * windows.ScaledHeight]; // [C, H, W]

    /// <summary>A size² Gaussian, 1 at its centre pixel(s); nowhere 0, so a pixel at a window's corner still counts.</summary>
    public static float[] Gaussian(int size)
    {
        double sigma = size / 8.0, centre = (size - 1) / 2.0;
        var map = new double[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                map[y * size + x] = Math.Exp(-((x - centre) * (x - centre) + (y - centre) * (y - centre)) / (2 * sigma * sigma));
        double peak = map.Max();
        return [.. map.Select(v => (float)Math.Max(v / peak, 1e-6))];
    }

    /// <summary>Adds window <paramref name="window"/>'s class probabilities, [C, size, size]; what lies past the image's edge is dropped.</summary>
    public void Add(int window, ReadOnlySpan<float> probabilities)
    {
        int size = windows.Size, width = windows.ScaledWidth, plane = width * windows.ScaledHeight;
        if (probabilities.Length != classes * size * size) throw new ArgumentException($"{probabilities.Length} probabilities for {classes} classes of {size}²", nameof(probabilities));
        var (x0, y0, w, h) = windows.Inside(window);
        for (int c = 0; c < classes; c++)
            for (int y = 0; y < h; y++)
            {
                var src = probabilities.Slice((c * size + y) * size, w);
                var dst = _sum.AsSpan(c * plane + (y0 + y) * width + x0, w);
                var weight = _weights.AsSpan(y * size, w);
                for (int x = 0; x < w; x++) dst[x] += src[x] * weight[x];
            }
    }

    /// <summary>The label of every pixel of the scaled image, row-major.</summary>
    public byte[] Labels()
    {
        int plane = windows.ScaledWidth * windows.ScaledHeight;
        var labels = new byte[plane];
        for (int i = 0; i < plane; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (_sum[c * plane + i] > _sum[best * plane + i]) best = c;
            labels[i] = (byte)best;
        }
        return labels;
    }
}
