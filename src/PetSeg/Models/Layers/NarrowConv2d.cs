using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Layers;

/// <summary>
/// <c>nn.Conv2d</c> for the models' heads (few output channels), same state_dict (<c>weight</c>, <c>bias</c>) and
/// initialisation, computed through <see cref="PetSeg.Compute.Convolution.Conv2d"/>: on the kernel path the numerics self-check
/// chose, because oneDNN's input gradients for few output channels are wrong on some CPUs (issue #22).
/// </summary>
public sealed class NarrowConv2d : Module<Tensor, Tensor>
{
    private readonly Parameter weight, bias;
    private readonly long padding;

    public NarrowConv2d(long inChannels, long outChannels, long kernelSize, long padding = 0) : base("Conv2d")
    {
        // TorchSharp's own layer initialises the parameters, so a seed gives the same weights as nn.Conv2d.
        using var reference = Conv2d(inChannels, outChannels, kernelSize, padding: padding);
        using (var w = reference.weight!.detach()) weight = new Parameter(w.clone()); // detached views stay referenced
        using (var b = reference.bias!.detach()) bias = new Parameter(b.clone());     // until cloned (see Weights' writer)
        this.padding = padding;
        RegisterComponents();
    }

    public Parameter Weight => weight;
    public Parameter Bias => bias;

    public override Tensor forward(Tensor input) => PetSeg.Compute.Convolution.Conv2d(input, weight, bias, padding: padding);
}
