using PetSeg.Compute;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;

namespace PetSeg.Models.Lab;

/// <summary>The lab's pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
public sealed class TransformerEncoderBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1, norm2;
    private readonly PackedMultiheadAttention attn;
    private readonly Sequential mlp;

    public TransformerEncoderBlock(int dim, int heads, double mlpRatio = 4, double dropout = 0.1) : base(nameof(TransformerEncoderBlock))
    {
        norm1 = LayerNorm(dim);
        attn = new PackedMultiheadAttention(dim, heads, dropout);
        norm2 = LayerNorm(dim);
        int hidden = (int)(dim * mlpRatio);
        mlp = Sequential(Linear(dim, hidden), GELU(), new PackedBitsDropout(dropout), Linear(hidden, dim), new PackedBitsDropout(dropout));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x.Plus(attn.call(norm1.call(x)));
        return x.Plus(mlp.call(norm2.call(x))).MoveToOuterDisposeScope();
    }
}
