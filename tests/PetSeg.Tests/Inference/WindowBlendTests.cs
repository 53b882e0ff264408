using PetSeg.Data.Imaging;
using PetSeg.Inference;
using PetSeg.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Inference;

/// <summary>Overlapping windows blended: a pixel's label is its windows' Gaussian-weighted probabilities' argmax, in the right place.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class WindowBlendTests
{
    [Fact]
    public void The_gaussian_is_one_at_the_centre_symmetric_and_nowhere_zero()
    {
        var g = WindowBlend.Gaussian(16);
        Assert.Equal(1f, g.Max(), 3);
        Assert.True(g[7 * 16 + 7] > 0.99f && g[8 * 16 + 8] > 0.99f);
        Assert.Equal(g[0], g[15 * 16 + 15]);
        Assert.Equal(g[3 * 16 + 5], g[5 * 16 + 3]);
        Assert.True(g.Min() > 0);
        Assert.True(g[0] < 0.01f); // a corner counts for almost nothing beside a centre
    }

    [Fact]
    public void Probabilities_that_agree_everywhere_give_their_own_argmax_and_the_nearest_centre_decides_where_they_do_not()
    {
        // Each window reports the same per-pixel probabilities for a pixel (a function of its place in the image): the
        // blend must put every window's values back where they came from, so the labels are that function's argmax.
        var windows = SlidingWindows.For(50, 20, 16, 0.5);
        static float Pet(int x, int y) => (x * 7 + y * 3) % 5 < 2 ? 0.8f : 0.3f;
        var blend = new WindowBlend(windows, 2);
        for (int w = 0; w < windows.Count; w++)
        {
            var (x0, y0, _, _) = windows.Inside(w);
            var p = new float[2 * 16 * 16];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                {
                    float pet = x0 + x < 50 && y0 + y < 20 ? Pet(x0 + x, y0 + y) : 0.99f; // past the edge: dropped, whatever it says
                    (p[y * 16 + x], p[256 + y * 16 + x]) = (1 - pet, pet);
                }
            blend.Add(w, p);
        }
        var labels = blend.Labels();
        for (int y = 0; y < 20; y++)
            for (int x = 0; x < 50; x++) Assert.Equal(Pet(x, y) > 0.5f ? 1 : 0, labels[y * 50 + x]);

        // Two windows over a 24-wide strip disagree: each pixel takes the label of the window whose centre is nearer.
        var two = SlidingWindows.For(24, 16, 16, 0.5);
        Assert.Equal([0, 8], two.Xs);
        var split = new WindowBlend(two, 2);
        split.Add(0, [.. Enumerable.Repeat(0.9f, 256), .. Enumerable.Repeat(0.1f, 256)]); // the left window: background
        split.Add(1, [.. Enumerable.Repeat(0.1f, 256), .. Enumerable.Repeat(0.9f, 256)]); // the right: pet
        var row = split.Labels().Take(24).ToArray();
        Assert.Equal([.. Enumerable.Repeat((byte)0, 12), .. Enumerable.Repeat((byte)1, 12)], row); // centres at 7.5 and 15.5: they part at 11.5
    }

    [Fact]
    public void A_pointwise_model_predicts_the_same_mask_through_overlapping_windows_as_through_the_grid()
    {
        // A 1×1 convolution sees each pixel alone: windows placed anywhere else than where they were cut would move its labels.
        using var dir = new TempDir();
        var rng = new Random(4);
        var pixels = new byte[70 * 45 * 3];
        rng.NextBytes(pixels);
        using (var image = Image.LoadPixelData<Rgb24>(pixels, 70, 45)) image.SaveAsPng(dir["noise.png"]);
        using var scope = NewDisposeScope();
        var model = nn.Conv2d(3, 2, 1);
        using (no_grad())
        {
            model.weight!.copy_(tensor(new float[] { 0, 0, 0, 1, -1, 0 }).reshape(2, 3, 1, 1)); // pet where red outweighs green
            model.bias!.copy_(tensor(new float[] { 0, 0.01f }));
        }
        var grid = Predictor.Predict(model, dir["noise.png"], 16, tileScale: 1.0);
        var windows = Predictor.Predict(model, dir["noise.png"], 16, tileScale: 1.0, overlap: 0.5);
        Assert.Equal((70, 45), (windows.Width, windows.Height));
        Assert.Equal(grid.Mask, windows.Mask);
        Assert.InRange(windows.Fraction(1), 0.3, 0.7); // both classes, in noise: a shifted window would show
        Assert.Throws<ArgumentException>(() => Predictor.Predict(model, dir["noise.png"], 16, tileScale: null, overlap: 0.5));
    }
}
