using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Layers;

/// <summary>
/// A <c>Sequential</c> whose first layer is a bias-free <c>Conv2d</c> (smp's Conv2dReLU, torchvision's ResNet
/// projection: keys <c>0.weight</c>, <c>1.*</c>). A module that computes that convolution itself (from slices of its
/// weight, or through <see cref="PetSeg.Compute.Convolution"/>) takes the weight here and finishes with the layers after it.
/// </summary>
internal static class ConvSequential
{
    /// <summary>The block's conv weight [out, in, k, k].</summary>
    public static Tensor Weight(Sequential block) => ((Conv2d)block.children().First()).weight!;

    /// <summary>The block's layers after its conv (BatchNorm, ReLU, …) applied to a conv output computed elsewhere.</summary>
    public static Tensor AfterConv(Sequential block, Tensor convOutput) =>
        block.children().Skip(1).Cast<Module<Tensor, Tensor>>().Aggregate(convOutput, (y, layer) => layer.call(y));
}
