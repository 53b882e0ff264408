using PetSeg.Data.Imaging;

namespace PetSeg.Tests.Data.Imaging;

public sealed class TileGridTests
{
    [Theory]
    [InlineData(135, 100, 0.5, 32, 68, 50, 3, 2)]  // 67.5 rounds away from zero; the last column holds 4 pixels
    [InlineData(64, 64, 1.0, 32, 64, 64, 2, 2)]    // exact: no padding
    [InlineData(20, 10, 1.0, 32, 20, 10, 1, 1)]    // smaller than a tile: one, padded
    [InlineData(3, 3, 0.1, 8, 1, 1, 1, 1)]         // never below one pixel
    [InlineData(2048, 1024, 0.5, 224, 1024, 512, 5, 3)]
    public void A_grid_covers_the_scaled_image_with_whole_tiles(int w, int h, double scale, int size, int sw, int sh, int columns, int rows)
    {
        var grid = TileGrid.For(w, h, scale, size);
        Assert.Equal((sw, sh, columns, rows, columns * rows), (grid.ScaledWidth, grid.ScaledHeight, grid.Columns, grid.Rows, grid.Count));
        Assert.Equal((rows - 1, columns - 1), grid.Position(grid.Count - 1));
    }

    [Fact]
    public void Every_pixel_lies_in_exactly_one_tile_and_the_padding_is_the_fill()
    {
        var grid = TileGrid.For(70, 45, 1, 32);
        var image = Enumerable.Range(0, 70 * 45 * 3).Select(i => (byte)(i % 251)).ToArray();
        var labels = Enumerable.Range(0, 70 * 45).Select(i => (byte)(i % 7)).ToArray();
        var seen = new int[70 * 45];
        var back = new byte[70 * 45];
        for (int t = 0; t < grid.Count; t++)
        {
            var tile = new byte[32 * 32 * 3];
            grid.Cut(image, 3, t, 9, tile);
            var mask = new byte[32 * 32];
            grid.Cut(labels, 1, t, 255, mask);
            var (row, column) = grid.Position(t);
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    int ix = column * 32 + x, iy = row * 32 + y;
                    bool inside = ix < 70 && iy < 45;
                    for (int c = 0; c < 3; c++)
                        Assert.Equal(inside ? image[(iy * 70 + ix) * 3 + c] : 9, tile[(y * 32 + x) * 3 + c]);
                    Assert.Equal(inside ? labels[iy * 70 + ix] : 255, mask[y * 32 + x]);
                    if (inside) seen[iy * 70 + ix]++;
                }
            grid.Place(mask, t, back);
        }
        Assert.All(seen, n => Assert.Equal(1, n));
        Assert.Equal(labels, back); // put back together, the padding dropped
    }

    [Fact]
    public void Scaling_is_the_whole_image_resize_of_preprocessing()
    {
        var image = new RawImage(9, 7, 3, [.. Enumerable.Range(0, 9 * 7 * 3).Select(i => (byte)(i * 37 % 256))]);
        var mask = new RawImage(9, 7, 1, [.. Enumerable.Range(0, 9 * 7).Select(i => (byte)(i % 3))]);
        var grid = TileGrid.For(9, 7, 2, 4);
        Assert.Equal(Resize.Bilinear(image.Pixels, 9, 7, 3, 18, 14), grid.ScaleImage(image));
        Assert.Equal(Resize.Nearest(mask.Pixels, 9, 7, 18, 14), grid.ScaleMask(mask));
        Assert.Same(image.Pixels, TileGrid.For(9, 7, 1, 4).ScaleImage(image)); // nothing to scale
        Assert.Throws<ArgumentOutOfRangeException>(() => TileGrid.For(9, 7, 0, 4));
    }
}
