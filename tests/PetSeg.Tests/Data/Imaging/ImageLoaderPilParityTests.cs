using PetSeg.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Data.Imaging;

/// <summary>
/// JPEGs decode to exactly the pixels the lab's <c>Image.open(p).convert("RGB")</c> gives (PIL on libjpeg-turbo):
/// every JPEG in Assets/jpeg against PIL's output stored beside it (see the README there).
/// </summary>
public sealed class ImageLoaderPilParityTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Assets", "jpeg");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Folder, "*.jpg").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_exactly_as_pil(string name)
    {
        var ours = ImageLoader.LoadRgb(Path.Combine(Folder, name));
        using var expected = Image.Load<Rgb24>(Path.Combine(Folder, Path.ChangeExtension(name, ".pil.png")));
        Assert.Equal((expected.Width, expected.Height), (ours.Width, ours.Height));
        var want = new byte[expected.Width * expected.Height * 3];
        expected.CopyPixelDataTo(want);
        var differing = Enumerable.Range(0, want.Length).Count(i => want[i] != ours.Pixels[i]);
        var max = Enumerable.Range(0, want.Length).Max(i => Math.Abs(want[i] - ours.Pixels[i]));
        Assert.True(differing == 0, $"{name}: {differing} of {want.Length} values differ from PIL (max {max} levels)");
    }

    [Fact]
    public void A_truncated_jpeg_is_an_error_naming_the_file_not_a_half_grey_image()
    {
        using var dir = new Support.TempDir();
        var bytes = File.ReadAllBytes(Path.Combine(Folder, "q90-444.jpg"));
        File.WriteAllBytes(dir["cut.jpg"], bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadRgb(dir["cut.jpg"]));
        Assert.Contains("cut.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_file_that_is_no_image_or_a_broken_png_is_one_line_naming_the_file_and_what_it_is()
    {
        using var dir = new Support.TempDir();
        File.WriteAllText(dir["notes.jpg"], "garbage");
        var e = Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadRgb(dir["notes.jpg"]));
        Assert.EndsWith("notes.jpg: cannot decode (7 bytes, not a JPEG/PNG/GIF/BMP by its magic bytes)", e.Message);

        File.WriteAllBytes(dir["broken.png"], [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. "no chunks here"u8]);
        e = Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadRgb(dir["broken.png"]));
        Assert.Contains("broken.png: cannot decode (Png data, 22 bytes): ", e.Message);
        Assert.DoesNotContain('\n', e.Message); // not ImageSharp's list of every decoder it has
    }
}
