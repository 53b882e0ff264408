namespace PetSeg.Tests.Support;

/// <summary>
/// Pascal VOC's palette, written out here as its devkit computes it (each label's bits spread over the high bits of red,
/// green and blue: label 7 is gray 128, 255 cream), for masks drawn as VOC draws them.
/// </summary>
public static class VocPalette
{
    public static (byte R, byte G, byte B)[] Colours()
    {
        var colours = new (byte, byte, byte)[256];
        for (int label = 0; label < 256; label++)
        {
            int r = 0, g = 0, b = 0, c = label;
            for (int bit = 7; bit >= 0; bit--, c >>= 3)
                (r, g, b) = (r | ((c & 1) << bit), g | (((c >> 1) & 1) << bit), b | (((c >> 2) & 1) << bit));
            colours[label] = ((byte)r, (byte)g, (byte)b);
        }
        return colours;
    }

    /// <summary>An indexed PNG of these indices in these colours (the library's writer; ImageSharp decodes what it wrote).</summary>
    public static void Write(string path, int width, int height, byte[] indices, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        using var file = File.Create(path);
        PetSeg.Data.Imaging.PalettePng.Write(file, width, height, indices, [.. palette.Select(c => (c.R << 16) | (c.G << 8) | c.B)]);
    }
}
