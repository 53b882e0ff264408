using PetSeg.Core;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Inference;

/// <summary>
/// The colour each label is drawn in. Two classes: background black, the foreground white, the ignored border grey
/// (the lab's figures). More: Pascal VOC's palette (label bits spread over the channels' high bits), so every class up
/// to 255 has its own colour, the ignored pixels VOC's cream.
/// </summary>
public sealed class ClassPalette
{
    private readonly Rgb24[] _colours = new Rgb24[256];

    public ClassPalette(int classes)
    {
        if (classes <= SegmentationLabels.Classes)
        {
            Array.Fill(_colours, new Rgb24(128, 128, 128));
            (_colours[SegmentationLabels.Background], _colours[SegmentationLabels.Pet]) = (new Rgb24(0, 0, 0), new Rgb24(255, 255, 255));
            return;
        }
        for (int label = 0; label < 256; label++)
        {
            int r = 0, g = 0, b = 0;
            for (int bit = 0, c = label; bit < 8; bit++, c >>= 3)
            {
                r |= ((c >> 0) & 1) << (7 - bit);
                g |= ((c >> 1) & 1) << (7 - bit);
                b |= ((c >> 2) & 1) << (7 - bit);
            }
            _colours[label] = new Rgb24((byte)r, (byte)g, (byte)b);
        }
    }

    public Rgb24 this[byte label] => _colours[label];

    /// <summary>The 256 colours as 0xRRGGBB by label, a PNG palette's.</summary>
    public IReadOnlyList<int> AsRgb() => [.. _colours.Select(c => (c.R << 16) | (c.G << 8) | c.B)];
}
