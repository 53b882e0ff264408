using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Data.Dataset;

public sealed class OxfordPetDatasetTests(SyntheticDataFixture data) : IClassFixture<SyntheticDataFixture>
{
    [Fact]
    public void Reads_both_official_splits()
    {
        var trainval = OxfordPetDataset.Open(data.Root, "trainval");
        var test = OxfordPetDataset.Open(data.Root, "test");
        Assert.Equal(12, trainval.Samples.Count);
        Assert.Equal(12, test.Samples.Count);
        Assert.Empty(trainval.Samples.Select(s => s.Stem).Intersect(test.Samples.Select(s => s.Stem)));
        var first = trainval.Samples[0];
        Assert.Equal("Abyssinian_1", first.Stem);
        Assert.Equal((1, 1, 1), (first.ClassId, first.Species, first.BreedId));
        Assert.EndsWith(Path.Combine("images", "Abyssinian_1.jpg"), first.ImagePath);
        Assert.EndsWith(Path.Combine("annotations", "trimaps", "Abyssinian_1.png"), first.MaskPath);
    }

    [Fact]
    public void Maps_all_three_trimap_values()
    {
        var raw = ImageLoader.LoadGray(Path.Combine(data.Root, "annotations", "trimaps", "beagle_1.png"));
        Assert.Equal(new byte[] { 1, 2, 3 }, raw.Pixels.Distinct().Order().ToArray());
        var (_, mask) = OxfordPetDataset.LoadPair(OxfordPetDataset.Open(data.Root, "test").Samples.First(s => s.Stem == "beagle_1"));
        Assert.Equal(new byte[] { 0, 1, 255 }, mask.Pixels.Distinct().Order().ToArray());
        for (int i = 0; i < raw.Pixels.Length; i++)
            Assert.Equal(raw.Pixels[i] switch { 1 => 1, 2 => 0, _ => 255 }, mask.Pixels[i]);
    }

    [Fact]
    public void A_png_with_alpha_named_jpg_loads_as_rgb()
    {
        var path = Path.Combine(data.Root, "images", "Abyssinian_1.jpg");
        Assert.Equal(ImageFileFormat.Png, ImageFormatSniffer.Sniff(File.ReadAllBytes(path)));
        var image = ImageLoader.LoadRgb(path);
        Assert.Equal(3, image.Channels);
        Assert.Equal(image.Width * image.Height * 3, image.Pixels.Length);
        Assert.Contains(image.Pixels, b => b != image.Pixels[0]); // real content, not a blank
    }

    [Fact]
    public void A_grayscale_jpeg_is_replicated_to_three_equal_channels()
    {
        var image = ImageLoader.LoadRgb(Path.Combine(data.Root, "images", "Bengal_1.jpg"));
        for (int p = 0; p < image.Width * image.Height; p++)
        {
            Assert.Equal(image.Pixels[3 * p], image.Pixels[3 * p + 1]);
            Assert.Equal(image.Pixels[3 * p], image.Pixels[3 * p + 2]);
        }
    }

    [Fact]
    public void A_cmyk_jpeg_loads_as_rgb()
    {
        // A 16×8 CMYK JPEG (Adobe APP14) written by libjpeg: left half pure cyan ink, right half pure yellow ink.
        var image = ImageLoader.LoadRgb(Path.Combine(AppContext.BaseDirectory, "Assets", "cmyk.jpg"));
        Assert.Equal((16, 8, 3), (image.Width, image.Height, image.Channels));
        var left = image.Pixels.AsSpan(3 * (4 * 16 + 2), 3).ToArray();
        var right = image.Pixels.AsSpan(3 * (4 * 16 + 13), 3).ToArray();
        Assert.True(left[0] < 60 && left[1] > 190 && left[2] > 190, $"cyan side is {string.Join(",", left)}");
        Assert.True(right[0] > 190 && right[1] > 190 && right[2] < 60, $"yellow side is {string.Join(",", right)}");
    }

    [Fact]
    public void Missing_files_are_listed_by_name_unless_skipped()
    {
        using var tmp = new TempDir();
        var root = data.CopyTo(tmp["pets"]);
        File.Delete(Path.Combine(root, "images", "beagle_1.jpg"));
        File.Delete(Path.Combine(root, "annotations", "trimaps", "samoyed_1.png"));
        var e = Assert.Throws<DatasetException>(() => OxfordPetDataset.Open(root, "test"));
        Assert.Contains("2 sample(s)", e.Message);
        Assert.Contains(Path.Combine("images", "beagle_1.jpg"), e.Message);
        Assert.Contains(Path.Combine("trimaps", "samoyed_1.png"), e.Message);
        Assert.Contains("test.txt:", e.Message);

        var skipped = OxfordPetDataset.Open(root, "test", skipBad: true);
        Assert.Equal(10, skipped.Samples.Count);
        Assert.Equal(2, skipped.Skipped.Count);
    }

    [Fact]
    public void A_malformed_split_line_is_reported_with_file_and_line()
    {
        using var tmp = new TempDir();
        var root = data.CopyTo(tmp["pets"]);
        var list = Path.Combine(root, "annotations", "trainval.txt");
        var lines = File.ReadAllLines(list).ToList();
        lines.Insert(2, "beagle_99 x 2");
        File.WriteAllLines(list, lines);
        var e = Assert.Throws<DatasetException>(() => OxfordPetDataset.Open(root, "trainval"));
        Assert.Contains("trainval.txt:3:", e.Message);
        Assert.Contains("beagle_99 x 2", e.Message);
    }

    [Fact]
    public void A_missing_split_list_says_what_to_run()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<DatasetException>(() => OxfordPetDataset.Open(tmp.Path, "trainval"));
        Assert.Contains("petseg run download", e.Message);
    }
}
