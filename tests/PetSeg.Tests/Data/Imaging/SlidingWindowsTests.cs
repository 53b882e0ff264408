using PetSeg.Data.Imaging;

namespace PetSeg.Tests.Data.Imaging;

/// <summary>Sliding windows: nnU-Net's placement, every pixel covered, the asked overlap at least, the last window on the edge.</summary>
public sealed class SlidingWindowsTests
{
    [Theory]
    [InlineData(100, 32, 0.5, new[] { 0, 14, 27, 41, 54, 68 })]  // n = ⌈68 / 16⌉ + 1 = 6, evenly spaced from 0 to 68
    [InlineData(64, 32, 0.0, new[] { 0, 32 })]                   // no overlap on an exact multiple: the grid
    [InlineData(70, 32, 0.0, new[] { 0, 19, 38 })]               // …otherwise the windows overlap rather than run past the edge
    [InlineData(32, 32, 0.5, new[] { 0 })]
    [InlineData(20, 32, 0.5, new[] { 0 })]                       // shorter than a window: one, padded
    [InlineData(40, 32, 0.9, new[] { 0, 3, 5, 8 })]              // stride 3.2: ⌈8 / 3.2⌉ + 1 = 4
    public void Windows_are_spaced_evenly_from_edge_to_edge(int length, int size, double overlap, int[] expected)
    {
        var starts = SlidingWindows.Starts(length, size, overlap);
        Assert.Equal(expected, starts);
        if (length <= size) return;
        Assert.Equal(length - size, starts[^1]);
        // Consecutive windows overlap by the asked fraction at least: their starts are at most a stride apart.
        Assert.All(starts.Zip(starts.Skip(1)), p => Assert.InRange(p.Second - p.First, 1, Math.Max(1, size * (1 - overlap)) + 1e-9));
    }

    [Fact]
    public void Every_pixel_is_covered_and_a_window_is_cut_as_a_tile_is_padded_past_the_edge()
    {
        var windows = SlidingWindows.For(50, 20, 16, 0.5);
        Assert.Equal([0, 7, 14, 20, 27, 34], windows.Xs); // stride 8: ⌈34 / 8⌉ + 1 = 6
        Assert.Equal([0, 4], windows.Ys);
        Assert.Equal(12, windows.Count);
        var covered = new int[50 * 20];
        for (int w = 0; w < windows.Count; w++)
        {
            var (x, y, width, height) = windows.Inside(w);
            for (int dy = 0; dy < height; dy++)
                for (int dx = 0; dx < width; dx++) covered[(y + dy) * 50 + x + dx]++;
        }
        Assert.All(covered, c => Assert.True(c >= 1));
        Assert.Equal(6, covered.Max()); // three columns of windows over x = 14 … 15, both rows over y = 4 … 15

        // Window 7 (row 1, column 1) starts at (7, 4); a 10-wide image's one window is padded with the fill past x = 10.
        var scaled = Enumerable.Range(0, 50 * 20).Select(i => (byte)(i % 251)).ToArray();
        var cut = new byte[16 * 16];
        windows.Cut(scaled, 1, 7, 0, cut);
        Assert.Equal(scaled[4 * 50 + 7], cut[0]);
        Assert.Equal(scaled[(4 + 15) * 50 + 7 + 15], cut[^1]);
        var narrow = SlidingWindows.For(10, 16, 16, 0.5);
        narrow.Cut(Enumerable.Repeat((byte)7, 10 * 16).ToArray(), 1, 0, 200, cut);
        Assert.Equal(7, cut[9]);
        Assert.Equal(200, cut[10]);
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.For(50, 20, 16, 0.95));
    }
}
