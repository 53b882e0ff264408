using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Models.Layers;

/// <summary>
/// <c>nn.ConvTranspose2d</c> (square kernel, no padding) with the same state_dict (<c>weight</c>, <c>bias</c>) and the
/// same initialisation, whose bias is added after the transposed convolution instead of inside it. oneDNN computes
/// the bias gradient of a bf16 channels-last transposed convolution in its reference kernel, one bf16→float
/// conversion per call: a fifth of SimpleUNet's bf16 training step (issue #14, perf). Added apart, the bias
/// gradient is ATen's vectorised sum.
/// </summary>
public sealed class SplitBiasConvTranspose2d : Module<Tensor, Tensor>
{
    private readonly Parameter weight, bias;
    private readonly long[] stride;

    public SplitBiasConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride) : base("ConvTranspose2d")
    {
        // TorchSharp's own layer initialises the parameters, so a seed gives the same weights as nn.ConvTranspose2d.
        using var reference = nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride);
        using (var w = reference.weight!.detach()) weight = new Parameter(w.clone()); // detached views stay referenced
        using (var b = reference.bias!.detach()) bias = new Parameter(b.clone());     // until cloned (see Weights' writer)
        this.stride = [stride, stride];
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = F.conv_transpose2d(input, weight, bias: null, strides: stride);
        // In place on the convolution's fresh output (autograd keeps no reference to it); the explicit Scalar avoids
        // a finalizer-only one per call (see Scalars).
        return y.add_(bias.view(1, -1, 1, 1), Scalars.One).MoveToOuterDisposeScope();
    }
}
