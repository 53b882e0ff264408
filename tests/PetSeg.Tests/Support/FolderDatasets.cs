using PetSeg.Data.Synthetic;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Support;

/// <summary>
/// A dataset of one's own as a user would have it, made from a synthetic Oxford-shaped one: <c>images/</c> with the
/// same files, <c>masks/</c> with the trimaps as 0 background, 255 pet and 128 border, and <c>test.txt</c> naming the
/// synthetic test split — so an import with background [0] and ignore [128] must give back the synthetic data exactly.
/// </summary>
public static class FolderDatasets
{
    public const byte Background = 0, Pet = 255, Border = 128;

    public static SyntheticPetGenerator.Layout Write(string folder, SyntheticPetOptions options)
    {
        var synthetic = Path.Combine(folder, ".synthetic");
        var layout = SyntheticPetGenerator.WriteLayout(synthetic, options);
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        Directory.CreateDirectory(Path.Combine(folder, "masks"));
        foreach (var stem in layout.TrainVal.Concat(layout.Test))
        {
            File.Copy(Path.Combine(synthetic, "images", stem + ".jpg"), Path.Combine(folder, "images", stem + ".jpg"));
            using var trimap = Image.Load<L8>(Path.Combine(synthetic, "annotations", "trimaps", stem + ".png"));
            trimap.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                    foreach (ref var p in rows.GetRowSpan(y)) p = new L8(p.PackedValue switch { 1 => Pet, 2 => Background, _ => Border });
            });
            trimap.SaveAsPng(Path.Combine(folder, "masks", stem + ".png"), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        File.WriteAllLines(Path.Combine(folder, "test.txt"), ["# the synthetic test split", .. layout.Test]);
        Directory.Delete(synthetic, recursive: true);
        return layout;
    }

    public static void WriteMask(string path, int width, int height, Func<int, int, byte> value)
    {
        using var image = new Image<L8>(width, height);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) image[x, y] = new L8(value(x, y));
        image.SaveAsPng(path, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
    }
}
