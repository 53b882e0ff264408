using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Decoders;

/// <summary>A per-pixel Linear on an N×C×H×W map (smp's Segformer <c>MLP</c>, key <c>linear.*</c>).</summary>
public sealed class PixelLinear : Module<Tensor, Tensor>
{
    private readonly Linear linear;

    public PixelLinear(int inChannels, int outChannels) : base(nameof(PixelLinear))
    {
        linear = Linear(inChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        return linear.call(x.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(b, -1, h, w).MoveToOuterDisposeScope();
    }
}
