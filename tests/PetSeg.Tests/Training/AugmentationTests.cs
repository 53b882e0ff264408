using PetSeg.Compute;
using PetSeg.Training.Augmentation;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using PetSeg.Models.Input;

namespace PetSeg.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class AugmentationTests
{
    private static readonly SampleAugmentation None = new(false, null, null);

    private static (Tensor Images, Tensor Masks) Marked(int h = 5, int w = 6)
    {
        var images = zeros([1, 3, h, w], ScalarType.Byte);
        var masks = zeros([1, h, w], ScalarType.Byte);
        images[0, 0, 1, 1] = tensor((byte)200);
        masks[0, 1, 1] = tensor((byte)1);
        masks[0, 3, 4] = tensor((byte)255);
        return (images, masks);
    }

    [Fact]
    public void Flip_moves_a_pixel_to_the_mirrored_column_in_image_and_mask()
    {
        using var scope = NewDisposeScope();
        var (images, masks) = Marked();
        var (i2, m2) = BatchAugmenter.Apply(images, masks, [None with { Flip = true }]);
        Assert.Equal(200, i2[0, 0, 1, 4].item<byte>()); // x = W-1-1 = 4
        Assert.Equal(0, i2[0, 0, 1, 1].item<byte>());
        Assert.Equal(1, m2[0, 1, 4].item<byte>());
        Assert.Equal(255, m2[0, 3, 1].item<byte>());
        Assert.Equal(200, images[0, 0, 1, 1].item<byte>()); // the input is not modified
    }

    [Fact]
    public void Brightness_contrast_truncates_like_the_uint8_lookup_table()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new byte[] { 0, 100, 200, 250, 10, 109 }, [1, 3, 1, 2]);
        var (i2, _) = BatchAugmenter.Apply(images, zeros([1, 1, 2], ScalarType.Byte), [None with { BrightnessContrast = (1.1, -5.0) }]);
        // In float32: 0 → −5 → 0 (clipped); 100 → 105.0000 → 105; 200 → 215.0000 → 215; 250 → 270 → 255 (clipped);
        // 10 → 6.0000 → 6; 109 → 114.9 → 114 (truncated, not rounded).
        Assert.Equal(new byte[] { 0, 105, 215, 255, 6, 114 }, i2.data<byte>().ToArray());
    }

    [Fact]
    public void Ninety_degree_matrix_turns_the_x_axis_upward_and_the_warp_equals_rot90()
    {
        var m = AffineMatrix.ShiftScaleRotate(4, 4, 90, 1, 1, 0, 0);
        // Centre (1.5, 1.5) is fixed; +x maps to (cos θ, −sin θ) = (0, −1): up on screen.
        Assert.Equal(1.5, m[0, 0] * 1.5 + m[0, 1] * 1.5 + m[0, 2], 9);
        Assert.Equal(0, m[0, 0], 9); Assert.Equal(1, m[0, 1], 9); Assert.Equal(-1, m[1, 0], 9); Assert.Equal(0, m[1, 1], 9);
        var inv = AffineMatrix.Multiply(m, AffineMatrix.Invert(m));
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) Assert.Equal(i == j ? 1 : 0, inv[i, j], 9);

        using var scope = NewDisposeScope();
        var images = arange(Scalars.Of(0L), Scalars.Of(48L), Scalars.One, dtype: ScalarType.Int32).view(1, 3, 4, 4).to_type(ScalarType.Byte);
        var masks = tensor(new byte[] { 0, 1, 1, 255, 0, 0, 1, 255, 0, 0, 0, 1, 1, 1, 0, 0 }, [1, 4, 4]);
        var (i2, m2) = BatchAugmenter.Apply(images, masks, [None with { Affine = m }]);
        // A counter-clockwise quarter turn on screen is numpy/torch rot90 over (H, W).
        Assert.True(i2.equal(images.rot90(1, (2, 3))).all().item<bool>());
        Assert.True(m2.equal(masks.rot90(1, (1, 2))).all().item<bool>());
    }

    [Fact]
    public void Warped_masks_only_ever_hold_0_1_and_255_and_images_stay_in_range()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(5);
        var aug = new BatchAugmenter(AugmentationSettings.Lab with { ShiftScaleRotateP = 1, RotateLimitDegrees = 30, ScaleLimit = 0.2 });
        manual_seed(1);
        var masks = randint(0, 3, [16, 32, 32]).to_type(ScalarType.Byte);
        masks = where(masks.eq(Scalars.Of(2L)), tensor((byte)255), masks);
        var images = randint(0, 256, [16, 3, 32, 32]).to_type(ScalarType.Byte);
        var (i2, m2) = BatchAugmenter.Apply(images, masks, aug.Draw(rng, 16, 32, 32));
        var values = m2.unique().Item1.data<byte>().ToArray();
        Assert.All(values, v => Assert.Contains(v, new byte[] { 0, 1, 255 }));
        Assert.Contains((byte)255, values);
        Assert.False(i2.equal(images).all().item<bool>());
    }

    [Fact]
    public void Probabilities_and_ranges_hold_over_many_draws()
    {
        var plan = new BatchAugmenter(AugmentationSettings.Lab).Draw(new Random(3), 20_000, 224, 224);
        double flip = plan.Count(p => p.Flip) / 20_000.0, bc = plan.Count(p => p.BrightnessContrast is not null) / 20_000.0,
            ssr = plan.Count(p => p.Affine is not null) / 20_000.0;
        Assert.InRange(flip, 0.48, 0.52);
        Assert.InRange(bc, 0.09, 0.11);
        Assert.InRange(ssr, 0.48, 0.52);
        Assert.All(plan.Where(p => p.BrightnessContrast is not null), p =>
        {
            Assert.InRange(p.BrightnessContrast!.Value.Alpha, 0.8, 1.2);
            Assert.InRange(p.BrightnessContrast!.Value.Beta, -51, 51);
        });
        Assert.All(plan.Where(p => p.Affine is not null), p =>
        {
            var m = p.Affine!;
            // Translation is whole pixels within 5% of 224, and |scale·cos| stays within the 5% scale / 5° limits.
            double cx = 111.5, tx = m[0, 2] - (cx - m[0, 0] * cx - m[0, 1] * cx);
            Assert.Equal(Math.Round(tx), tx, 6);
            Assert.InRange(Math.Abs(tx), 0, 11 + 1e-6);
            Assert.InRange(m[0, 0], 0.95 * Math.Cos(5 * Math.PI / 180) - 1e-9, 1.05);
        });
    }

    [Fact]
    public void Normalize_uses_imagenet_constants_in_float32()
    {
        using var scope = NewDisposeScope();
        var x = ImageNetNormalize.Apply(full([1, 3, 1, 1], Scalars.Of(128L), ScalarType.Byte));
        var v = x.data<float>().ToArray();
        Assert.Equal((128f - 0.485f * 255f) * (1f / (0.229f * 255f)), v[0]);
        Assert.Equal((128f - 0.456f * 255f) * (1f / (0.224f * 255f)), v[1]);
        Assert.Equal((128f - 0.406f * 255f) * (1f / (0.225f * 255f)), v[2]);
    }
}
