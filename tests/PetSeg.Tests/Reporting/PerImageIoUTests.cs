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
}
