using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Layers;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Lab;

/// <summary>
/// Self-attention laid out like PyTorch's <c>nn.MultiheadAttention(batch_first=True)</c>: packed
/// <c>in_proj_weight</c> [3·dim, dim] (q, k, v) and <c>out_proj</c>, dropout on the attention weights in training.
/// Written by hand so the state_dict keys are PyTorch's exactly.
/// </summary>
public sealed class PackedMultiheadAttention : Module<Tensor, Tensor>, IStochasticLayer
{
    private readonly Parameter in_proj_weight, in_proj_bias;
    private readonly Linear out_proj;
    private readonly int _heads;
    private double _dropout;

    /// <summary>Dropout on the attention weights in training (nn.MultiheadAttention's <c>dropout</c>).</summary>
    public double DropProbability { get => _dropout; set => _dropout = value; }

    public PackedMultiheadAttention(int dim, int heads, double dropout) : base(nameof(PackedMultiheadAttention))
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        _heads = heads;
        _dropout = dropout;
        in_proj_weight = Parameter(empty(3 * dim, dim));
        in_proj_bias = Parameter(zeros(3 * dim));
        init.xavier_uniform_(in_proj_weight);
        out_proj = Linear(dim, dim);
        using (no_grad()) out_proj.bias!.zero_();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], n = x.shape[1], d = x.shape[2], hd = d / _heads;
        var qkv = functional.linear(x, in_proj_weight, in_proj_bias).view(b, n, 3, _heads, hd).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        using var scale = (1.0 / Math.Sqrt(hd)).ToScalar(); // disposed now, not by a finalizer (see Scalars)
        var attn = functional.softmax(q.matmul(k.transpose(-2, -1)).mul(scale), -1);
        attn = PackedBitsDropout.Apply(attn, _dropout, training);
        var o = attn.matmul(v).transpose(1, 2).reshape(b, n, d);
        return out_proj.call(o).MoveToOuterDisposeScope();
    }
}
