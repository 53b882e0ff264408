using PetSeg.Reporting;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Reporting;

public sealed class PerImageIoUTests
{
    [Fact]
    public void Best_and_worst_are_ordered_by_iou_ties_by_position_and_skip_images_without_valid_pixels()
    {
        var (best, worst) = PerImageIoU.BestAndWorst([0.5, double.NaN, 0.9, 0.1, 0.9], 2);
        Assert.Equal([2, 4], best);
        Assert.Equal([3, 0], worst);
        Assert.Equal(([], []), PerImageIoU.BestAndWorst([double.NaN], 3));
    }

    [Fact]
    public void The_per_image_file_round_trips_with_null_for_no_valid_pixel_and_the_histogram_is_a_small_png()
    {
        using var dir = new TempDir();
        var images = new List<ImageIoU> { new("a", 0.25), new("b", null), new("c", 1.0) };
        var back = PerImageIoU.Read(PerImageIoU.Write(dir["p.json"], images));
        Assert.Equal(images, back);
        var png = PerImageIoU.Histogram(dir["h.png"], "t", back);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], bytes[..4]);
        Assert.InRange(bytes.Length, 1_000, 100_000);
    }

    [Fact]
    public void The_breed_table_averages_each_breeds_images_hardest_first_and_bolds_each_experiments_hardest()
    {
        // Two experiments; tiles count by their image's breed; an image without valid pixels is left out.
        var a = new List<ImageIoU> { new("Bombay_1", 0.50), new("Bombay_2", 0.70), new("pug_1 (tile 0,1)", 0.90), new("pug_1 (tile 1,0)", 0.95), new("Bengal_3", null) };
        var b = new List<ImageIoU> { new("Bombay_1", 0.90), new("Bombay_2", 0.80), new("pug_1 (tile 0,1)", 0.60), new("pug_1 (tile 1,0)", 0.70), new("Bengal_3", null) };
        var table = BreedTable.Render([("unet", a), ("vit", b)]);
        Assert.Equal(
            "| Breed | test images | all experiments | unet | vit |\n|:--|--:|--:|--:|--:|\n" +
            "| Bombay | 2 | 0.7250 | **0.6000** | 0.8500 |\n" +      // (0.6 + 0.85) / 2
            "| pug | 2 | 0.7875 | 0.9250 | **0.6500** |\n",           // (0.925 + 0.65) / 2, hardest for vit
            table[table.IndexOf("| Breed", StringComparison.Ordinal)..].TrimEnd('\n') + "\n");
        Assert.Equal("american_pit_bull_terrier", BreedTable.BreedOf("american_pit_bull_terrier_12 (tile 2,10)"));
        // Names without breeds (each its own) or one breed for all: no table.
        Assert.Equal("", BreedTable.Render([("unet", [new("scan_a", 0.5), new("scan_b", 0.6), new("scan_c", 0.7)])]));
        Assert.Equal("", BreedTable.Render([("unet", [new("cat_1", 0.5), new("cat_2", 0.6)])]));
    }
}
