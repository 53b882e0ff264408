using PetSeg.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Data;

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
}
