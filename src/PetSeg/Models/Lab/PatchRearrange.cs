using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Lab;

/// <summary>einops <c>Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)')</c>: patches flattened in (p1, p2, c) order.</summary>
public sealed class PatchRearrange(int patch) : Module<Tensor, Tensor>(nameof(PatchRearrange))
{
    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], c = x.shape[1], gh = x.shape[2] / patch, gw = x.shape[3] / patch;
        using var scope = NewDisposeScope();
        return x.reshape(b, c, gh, patch, gw, patch).permute(0, 2, 4, 3, 5, 1).reshape(b, gh * gw, patch * patch * c).MoveToOuterDisposeScope();
    }
}
