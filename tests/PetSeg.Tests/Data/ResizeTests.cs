using PetSeg.Data.Imaging;

namespace PetSeg.Tests.Data;

public sealed class ResizeTests
{
    [Fact]
    public void Nearest_uses_floor_of_scaled_index_like_opencv()
    {
        byte[] src = [10, 11, 12, 13, 14];
        var dst = Resize.Nearest(src, 5, 1, 8, 1);
        Assert.Equal(new byte[] { 10, 10, 11, 11, 12, 13, 13, 14 }, dst);
    }

    [Fact]
    public void Bilinear_upscale_uses_half_pixel_centres_and_clamps_edges()
    {
        // 1×2 → 1×4: centres at -0.25, 0.25, 0.75, 1.25 → clamp, 0.75·a+0.25·b, 0.25·a+0.75·b, clamp
        byte[] src = [0, 200];
        var dst = Resize.Bilinear(src, 2, 1, 1, 4, 1);
        Assert.Equal(new byte[] { 0, 50, 150, 200 }, dst);
    }

    [Fact]
    public void Bilinear_2x_shrink_is_the_2x2_mean_without_antialiasing_beyond_it()
    {
        byte[] src = [0, 100, 0, 100, 50, 150, 50, 150];
        var dst = Resize.Bilinear(src, 4, 2, 1, 2, 1);
        Assert.Equal(new byte[] { 75, 75 }, dst);
    }

    [Fact]
    public void Bilinear_keeps_channels_apart()
    {
        byte[] src = [255, 0, 0, 0, 0, 255];
        var dst = Resize.Bilinear(src, 2, 1, 3, 4, 1);
        Assert.Equal(new byte[] { 255, 0, 0, 191, 0, 64, 64, 0, 191, 0, 0, 255 }, dst);
    }
}
