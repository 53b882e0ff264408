using PetSeg.Compute;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using PetSeg.Models.Layers;

namespace PetSeg.Tests.Models.Layers;

/// <summary>Resizing by matrix products is F.interpolate(mode='bilinear'): values, gradients, dtype and layout.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class BilinearResizeTests
{
    [Theory]
    [InlineData(14, 14, 224, 224, false)] // SimpleViT's logits
    [InlineData(56, 56, 224, 224, true)]  // Segformer's head (×4, align_corners=True)
    [InlineData(7, 9, 20, 13, false)]     // uneven, one axis shrinks
    [InlineData(7, 9, 20, 13, true)]
    [InlineData(1, 5, 4, 1, true)]        // single rows and columns
    public void Equals_interpolate_in_values_and_gradients(long h, long w, long outH, long outW, bool alignCorners)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var x = randn(3, 2, h, w);
        var upstream = randn(3, 2, outH, outW);
        var xRef = x.clone().requires_grad_();
        var xOurs = x.clone().requires_grad_();
        var want = nn.functional.interpolate(xRef, [outH, outW], mode: InterpolationMode.Bilinear, align_corners: alignCorners);
        var got = BilinearResize.Apply(xOurs, outH, outW, alignCorners);
        want.mul(upstream).sum().backward();
        got.mul(upstream).sum().backward();

        Assert.Equal(want.shape, got.shape);
        Assert.True(got.allclose(want, rtol: 1e-5, atol: 1e-5), $"max |Δ| {got.Minus(want).abs().max().item<float>()}");
        Assert.True(xOurs.grad!.allclose(xRef.grad!, rtol: 1e-5, atol: 1e-4), $"grad max |Δ| {xOurs.grad!.Minus(xRef.grad!).abs().max().item<float>()}");
    }

    [Fact]
    public void A_bf16_channels_last_input_gives_an_fp32_channels_last_result()
    {
        using var scope = NewDisposeScope();
        var nhwc = randn(2, 14, 14, 3);
        var x = nhwc.permute(0, 3, 1, 2).to_type(ScalarType.BFloat16); // channels-last strides, as SimpleViT's logits
        var got = BilinearResize.Apply(x, 224, 224, alignCorners: false);
        Assert.Equal(ScalarType.Float32, got.dtype);
        Assert.Equal(1, got.stride(1)); // classes innermost
        var want = nn.functional.interpolate(x.to_type(ScalarType.Float32), [224, 224], mode: InterpolationMode.Bilinear, align_corners: false);
        Assert.True(got.allclose(want, rtol: 1e-5, atol: 1e-5));
        Assert.True(BilinearResize.Apply(randn(2, 3, 4, 4), 8, 8, false).is_contiguous()); // NCHW stays NCHW
    }
}
