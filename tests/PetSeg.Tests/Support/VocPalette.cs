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

    /// <summary>
    /// VOC2012's layout from synthetic pets, as <c>VOCdevkit/VOC2012</c> ships: every photo in <c>JPEGImages</c>, a
    /// palette mask in <c>SegmentationClass</c> for each (cat 8 or dog 12 by Oxford's capital-letter rule, border 255),
    /// two photos more without one, and <c>ImageSets/Segmentation/val.txt</c> naming the synthetic test split.
    /// </summary>
    /// <returns>The test split's stems.</returns>
    public static IReadOnlyList<string> WriteVoc2012(string voc, string scratch, PetSeg.Data.Synthetic.SyntheticPetOptions options)
    {
        var layout = FolderDatasets.Write(scratch, options);
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));
        Directory.Move(Path.Combine(scratch, "images"), Path.Combine(voc, "JPEGImages"));
        foreach (var mask in Directory.EnumerateFiles(Path.Combine(scratch, "masks")))
        {
            var gray = PetSeg.Data.Imaging.ImageLoader.LoadGray(mask);
            byte pet = char.IsUpper(Path.GetFileName(mask)[0]) ? (byte)8 : (byte)12;
            var indices = gray.Pixels.Select(v => v switch { FolderDatasets.Background => (byte)0, FolderDatasets.Pet => pet, _ => (byte)255 }).ToArray();
            Write(Path.Combine(voc, "SegmentationClass", Path.GetFileName(mask)), gray.Width, gray.Height, indices, Colours());
        }
        File.Copy(Path.Combine(scratch, "test.txt"), Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"));
        var photo = Directory.EnumerateFiles(Path.Combine(voc, "JPEGImages")).Order(StringComparer.Ordinal).First();
        foreach (var extra in new[] { "2007_000001.jpg", "2007_000002.jpg" }) File.Copy(photo, Path.Combine(voc, "JPEGImages", extra));
        return layout.Test;
    }

    /// <summary>An indexed PNG of these indices in these colours (the library's writer; ImageSharp decodes what it wrote).</summary>
    public static void Write(string path, int width, int height, byte[] indices, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        using var file = File.Create(path);
        PetSeg.Data.Imaging.PalettePng.Write(file, width, height, indices, [.. palette.Select(c => (c.R << 16) | (c.G << 8) | c.B)]);
    }
}
