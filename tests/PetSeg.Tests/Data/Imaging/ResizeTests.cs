using PetSeg.Data.Imaging;

namespace PetSeg.Tests.Data.Imaging;

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

/// <summary>Pixel for pixel against OpenCV 4.10's cv2.resize, every case in ../shared/fixtures/resize.</summary>
public sealed class ResizeOpenCvParityTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Support.SharedFixtures.Path("fixtures/resize/cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray()) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Images_equal_inter_linear_and_masks_equal_inter_nearest(string name)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var t = PetSeg.Models.Weights.SafetensorsFile.Load(Support.SharedFixtures.Path("fixtures/resize/cases.safetensors"));
        var image = t[$"{name}/image"];
        var (h, w) = ((int)image.shape[0], (int)image.shape[1]);
        var want = t[$"{name}/image_linear"];
        var (dh, dw) = ((int)want.shape[0], (int)want.shape[1]);

        var ours = Resize.Bilinear(image.data<byte>().ToArray(), w, h, 3, dw, dh);
        var theirs = want.data<byte>().ToArray();
        var differing = Enumerable.Range(0, ours.Length).Where(i => ours[i] != theirs[i]).ToList();
        Assert.True(differing.Count == 0, $"{name} {w}×{h} → {dw}×{dh}: {differing.Count} of {ours.Length} values differ from INTER_LINEAR; " +
            (differing.Count > 0 ? $"first at row {differing[0] / (dw * 3)}, column {differing[0] % (dw * 3) / 3}, channel {differing[0] % 3}: ours {ours[differing[0]]}, OpenCV {theirs[differing[0]]}" : ""));

        var mask = Resize.Nearest(t[$"{name}/mask"].data<byte>().ToArray(), w, h, dw, dh);
        Assert.Equal(t[$"{name}/mask_nearest"].data<byte>().ToArray(), mask);
    }
}
