using System.Text.Json;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using PetSeg.Training.Augmentation;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training;

/// <summary>
/// The trainer's augmenter replaying albumentations 2.0.8's own parameters (../shared/fixtures/augmentation): flip and
/// brightness/contrast exact, the shift-scale-rotate matrix equal to albumentations', the warp within the README's
/// tolerances (OpenCV quantises to 1/32 pixel, our grid_sample does not), outside pixels background 0.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class AlbumentationsParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(SharedFixtures.Path("fixtures/augmentation"), "case*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
                data.Add(Path.GetFileNameWithoutExtension(file), c.GetProperty("name").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Replayed_parameters_give_albumentations_output(string file, string name)
    {
        using var scope = NewDisposeScope();
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path($"fixtures/augmentation/{file}.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var t = SafetensorsFile.Load(SharedFixtures.Path($"fixtures/augmentation/{file}.safetensors"));
        var image = t["image"].permute(2, 0, 1).unsqueeze(0).contiguous(); // HWC → 1×3×H×W, as the cache holds it
        var mask = t["mask"].unsqueeze(0);
        int h = (int)mask.shape[1], w = (int)mask.shape[2];

        switch (c.GetProperty("kind").GetString())
        {
            case "horizontal_flip":
            {
                var (img, msk) = BatchAugmenter.Apply(image, mask, [new SampleAugmentation(true, null, null)]);
                Assert.Equal(t["flip/image"].data<byte>().ToArray(), Hwc(img));
                Assert.Equal(t["flip/mask"].data<byte>().ToArray(), msk.data<byte>().ToArray());
                break;
            }
            case "brightness_contrast":
            {
                var plan = new SampleAugmentation(false, (c.GetProperty("alpha").GetDouble(), c.GetProperty("beta_abs").GetDouble()), null);
                var (img, msk) = BatchAugmenter.Apply(image, mask, [plan]);
                Assert.Equal(t[$"{name}/image"].data<byte>().ToArray(), Hwc(img));
                Assert.Equal(mask.data<byte>().ToArray(), msk.data<byte>().ToArray()); // the mask is untouched
                break;
            }
            case "shift_scale_rotate":
            {
                var shift = c.GetProperty("translate_px").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var scale = c.GetProperty("scale").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var matrix = AffineMatrix.ShiftScaleRotate(w, h, c.GetProperty("rotate_deg").GetDouble(), scale[0], scale[1], shift[0], shift[1]);
                var want = c.GetProperty("matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
                for (int r = 0; r < 2; r++)
                    for (int k = 0; k < 3; k++)
                        Assert.True(Math.Abs(matrix[r, k] - want[r][k]) < 1e-9, $"{name}: matrix[{r},{k}] = {matrix[r, k]}, albumentations {want[r][k]}");

                var (img, msk) = BatchAugmenter.Apply(image, mask, [new SampleAugmentation(false, null, matrix)]);
                var ours = Hwc(img);
                var theirs = t[$"{name}/image"].data<byte>().ToArray();
                var diffs = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).ToArray();
                Assert.True(diffs.Average() <= 0.6, $"{name}: image mean |Δ| {diffs.Average():F3} > 0.6");
                Assert.True(diffs.Max() <= 6, $"{name}: image max |Δ| {diffs.Max()} > 6");
                var oursMask = msk.data<byte>().ToArray();
                var theirMask = t[$"{name}/mask"].data<byte>().ToArray();
                double equal = oursMask.Zip(theirMask, (a, b) => a == b ? 1.0 : 0.0).Average();
                output.WriteLine($"{name}: image mean |Δ| {diffs.Average():F3}, max {diffs.Max()}; masks equal on {equal:P3}");
                Assert.True(equal >= 0.999, $"{name}: masks equal on {equal:P3} of pixels (< 99.9 %)");
                // Pixels that sample from well outside the source are background 0 (image 0 too), never the ignore index.
                var inverse = AffineMatrix.Invert(matrix);
                int outside = 0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        double sx = inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2], sy = inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2];
                        if (sx >= -1 && sx <= w && sy >= -1 && sy <= h) continue;
                        outside++;
                        Assert.True(oursMask[y * w + x] == 0, $"{name}: mask at ({x},{y}) samples from outside but holds {oursMask[y * w + x]}");
                        Assert.True(ours[(y * w + x) * 3] == 0 && ours[(y * w + x) * 3 + 1] == 0 && ours[(y * w + x) * 3 + 2] == 0, $"{name}: image at ({x},{y}) samples from outside but is not 0");
                    }
                Assert.True(outside > 0, $"{name}: the warp maps no pixel from outside; the border check checked nothing");
                break;
            }
            default:
                Assert.Fail($"{name}: unknown kind {c.GetProperty("kind").GetString()}; extend this test");
                break;
        }
    }

    private static byte[] Hwc(Tensor nchw)
    {
        using var scope = NewDisposeScope(); // the chain's views stay referenced while contiguous() copies from them
        return nchw[0].permute(1, 2, 0).contiguous().data<byte>().ToArray();
    }
}
