using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Data.Dataset;

/// <summary>
/// A mask of one's own read as its label values: an 8-bit grayscale image's grays; a palette image whose colours are
/// grays (Carvana's GIFs), those grays; a palette PNG whose colours are colours (Pascal VOC's <c>SegmentationClass</c>,
/// where index 1 is drawn dark red and 255 cream), its palette indices, which are the labels the colours only show;
/// colour-coded masks (CamVid's), the codes of their listed colours. Anything else in colour, or in 16 bits, is
/// refused with what to do.
/// </summary>
public static class MaskFile
{
    /// <summary>The values by pixel, row by row.</summary>
    public sealed record Values(byte[] Pixels, int Width, int Height, bool FromPalette);

    /// <param name="colours">For colour-coded masks: the colours (0xRRGGBB) by code, each pixel's value being its colour's
    /// code; a colour not listed is refused, with the first few such colours and their pixel counts. Null: gray values.</param>
    public static Values Read(string path, IReadOnlyList<int>? colours = null)
    {
        var (rgb, width, height, palette) = Decode(path);
        var values = new byte[width * height];
        if (colours is not null) return new Values(ByColour(path, rgb, values, colours), width, height, FromPalette: false);
        if (palette is not null)
        {
            var index = new Dictionary<int, int>();
            var twins = new Dictionary<int, int>();
            for (int i = 0; i < palette.Count; i++)
                if (!index.TryAdd(palette[i], i)) twins.TryAdd(palette[i], i);
            for (int i = 0; i < values.Length; i++)
            {
                int colour = (rgb[3 * i] << 16) | (rgb[3 * i + 1] << 8) | rgb[3 * i + 2];
                if (!index.TryGetValue(colour, out var k))
                    throw new DatasetException($"{path}: pixel {i % width},{i / width} is {rgb[3 * i]},{rgb[3 * i + 1]},{rgb[3 * i + 2]}, a colour its palette does not hold");
                if (twins.TryGetValue(colour, out var twin))
                    throw new DatasetException($"{path}: its palette draws indices {k} and {twin} in one colour ({rgb[3 * i]},{rgb[3 * i + 1]},{rgb[3 * i + 2]}), " +
                                               "so a pixel's index cannot be told: give each index its own colour, or save the labels as 8-bit grayscale");
                values[i] = (byte)k;
            }
            return new Values(values, width, height, FromPalette: true);
        }
        for (int i = 0; i < values.Length; i++)
        {
            byte r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
            if (r != g || g != b)
                throw new DatasetException($"{path}: a colour mask (pixel {i % width},{i / width} is {r},{g},{b}); " +
                                           "save it as 8-bit grayscale whose values are the labels, or as a palette PNG whose indices are (as Pascal VOC's)");
            values[i] = r;
        }
        return new Values(values, width, height, FromPalette: false);
    }

    /// <summary>
    /// A mask's colours (0xRRGGBB) with their pixel counts, for <c>petseg init</c> to tell colour-coded masks and suggest
    /// their classes; null for a palette PNG with colours, which is read by index.
    /// </summary>
    public static IReadOnlyDictionary<int, long>? ColourCounts(string path)
    {
        var (rgb, _, _, palette) = Decode(path);
        if (palette is not null) return null;
        var counts = new Dictionary<int, long>();
        for (int i = 0; i < rgb.Length; i += 3)
        {
            int colour = (rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2];
            counts[colour] = counts.GetValueOrDefault(colour) + 1;
        }
        return counts;
    }

    /// <summary>
    /// The mask's pixels as RGB, and its palette where it is a palette PNG with a colour in it: such a palette holds labels
    /// by index (VOC draws label 7 in gray 128, label 0 black: the index is the label even where the colour is a gray),
    /// while a palette of grays only holds them by gray. A 16-bit mask is refused.
    /// </summary>
    private static (byte[] Rgb, int Width, int Height, List<int>? Palette) Decode(string path)
    {
        var bytes = File.ReadAllBytes(path);
        using var mask = Image.Load<Rgb24>(bytes, out var format);
        if (format is PngFormat && mask.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16)
            throw new DatasetException($"{path}: a 16-bit mask; save it with 8 bits per pixel, its values the labels");
        var rgb = new byte[mask.Width * mask.Height * 3];
        mask.CopyPixelDataTo(rgb);
        var palette = format is PngFormat ? PngPalette(bytes) : null;
        return (rgb, mask.Width, mask.Height, palette is not null && palette.Any(IsColour) ? palette : null);
    }

    /// <summary>Whether 0xRRGGBB is a colour rather than a gray.</summary>
    public static bool IsColour(int c) => (c >> 16) != ((c >> 8) & 0xFF) || ((c >> 8) & 0xFF) != (c & 0xFF);

    private static byte[] ByColour(string path, byte[] rgb, byte[] values, IReadOnlyList<int> colours)
    {
        var code = new Dictionary<int, byte>(colours.Count);
        for (int i = 0; i < colours.Count; i++) code[colours[i]] = (byte)i;
        Dictionary<int, long>? unknown = null;
        for (int i = 0; i < values.Length; i++)
        {
            int colour = (rgb[3 * i] << 16) | (rgb[3 * i + 1] << 8) | rgb[3 * i + 2];
            if (code.TryGetValue(colour, out var c)) values[i] = c;
            else { unknown ??= []; unknown[colour] = unknown.GetValueOrDefault(colour) + 1; }
        }
        if (unknown is null) return values;
        var most = unknown.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(5).Select(p => $"'#{p.Key:x6}' ({p.Value:N0} pixel(s))");
        throw new DatasetException($"{path}: holds {unknown.Count} colour(s) in no class of dataset.folder.classes: {string.Join(", ", most)}{(unknown.Count > 5 ? ", …" : "")}; " +
                                   "add each to a class, or to ignore");
    }

    /// <summary>The colours of a palette PNG's PLTE chunk as 0xRRGGBB by index, or null for a PNG of another colour type.</summary>
    private static List<int>? PngPalette(byte[] png)
    {
        const int ihdrColourType = 8 + 8 + 9; // signature, IHDR length and type, width, height, bit depth
        if (png.Length < ihdrColourType + 1 || png[ihdrColourType] != 3) return null; // 3: indexed colour
        for (int at = 8; at + 8 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            if (length < 0 || at + 12L + length > png.Length) return null;
            if (type == "PLTE")
            {
                var colours = new List<int>(length / 3);
                for (int i = 0; i + 2 < length; i += 3) colours.Add((png[at + 8 + i] << 16) | (png[at + 9 + i] << 8) | png[at + 10 + i]);
                return colours;
            }
            if (type == "IDAT") return null; // PLTE comes before the data
            at += 12 + length;
        }
        return null;
    }
}
