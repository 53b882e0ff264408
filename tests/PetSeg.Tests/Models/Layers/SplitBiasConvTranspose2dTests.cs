using PetSeg.Tests.Support;
using static TorchSharp.torch;
using PetSeg.Models.Layers;

namespace PetSeg.Tests.Models.Layers;

/// <summary>The bias-apart transposed convolution is nn.ConvTranspose2d in everything but speed.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class SplitBiasConvTranspose2dTests
{
    [Fact]
    public void Same_seed_same_weights_same_outputs_and_gradients_as_nn_ConvTranspose2d()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var reference = nn.ConvTranspose2d(6, 4, 2, stride: 2);
        random.manual_seed(7);
        var split = new SplitBiasConvTranspose2d(6, 4, 2, stride: 2);

        var state = split.state_dict();
        Assert.Equal(["weight", "bias"], state.Keys);
        Assert.True(state["weight"].allclose(reference.weight!, rtol: 0, atol: 0));
        Assert.True(state["bias"].allclose(reference.bias!, rtol: 0, atol: 0));

        random.manual_seed(8);
        var x = randn(3, 6, 5, 7);
        var upstream = randn(3, 4, 10, 14);
        var xRef = x.clone().requires_grad_();
        var xSplit = x.clone().requires_grad_();
        reference.call(xRef).mul(upstream).sum().backward();
        var y = split.call(xSplit);
        y.mul(upstream).sum().backward();

        Assert.Equal(new long[] { 3, 4, 10, 14 }, y.shape);
        Assert.True(y.allclose(reference.call(x), rtol: 1e-5, atol: 1e-6));
        Assert.True(xSplit.grad!.allclose(xRef.grad!, rtol: 1e-5, atol: 1e-6));
        Assert.True(state["weight"].grad!.allclose(reference.weight!.grad!, rtol: 1e-5, atol: 1e-5));
        Assert.True(state["bias"].grad!.allclose(reference.bias!.grad!, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void A_bf16_channels_last_copy_gives_the_fp32_bias_gradient_to_bf16_precision()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var fp32 = new SplitBiasConvTranspose2d(16, 8, 2, stride: 2);
        var bf16 = new SplitBiasConvTranspose2d(16, 8, 2, stride: 2);
        bf16.load_state_dict(fp32.state_dict());
        Bfloat16.Convert(bf16);
        var x = randn(4, 16, 12, 12);
        var upstream = randn(4, 8, 24, 24);
        fp32.call(x).mul(upstream).sum().backward();
        bf16.call(x.to(ScalarType.BFloat16).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)).@float().mul(upstream).sum().backward();

        var want = fp32.state_dict()["bias"].grad!;
        var got = bf16.state_dict()["bias"].grad!.@float();
        // The bias gradient sums 4 × 24 × 24 = 2,304 upstream values: bf16 inputs, float accumulation.
        Assert.True(got.allclose(want, rtol: 2e-2, atol: 0.5), $"bias grad {string.Join(", ", got.data<float>().ToArray())} vs {string.Join(", ", want.data<float>().ToArray())}");
    }
}
