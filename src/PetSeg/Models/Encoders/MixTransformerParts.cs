using PetSeg.Compute;
using PetSeg.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using PetSeg.Models.Hooks;

namespace PetSeg.Models.Encoders;

/// <summary>LayerNorm over the channels of an N×C×H×W map (smp normalises each pixel's channel vector).</summary>
internal static class ChannelNorm
{
    public static Tensor Apply(LayerNorm norm, Tensor x)
    {
        using var scope = NewDisposeScope();
        return norm.call(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>MiT's overlapping patch embedding: a strided conv, then LayerNorm (eps 1e-5) over channels.</summary>
public sealed class OverlapPatchEmbed : Module<Tensor, Tensor>
{
    private readonly Conv2d proj;
    private readonly LayerNorm norm;

    public OverlapPatchEmbed(int patchSize, int stride, int inChannels, int embedDim) : base(nameof(OverlapPatchEmbed))
    {
        proj = Conv2d(inChannels, embedDim, patchSize, stride: stride, padding: patchSize / 2);
        norm = LayerNorm(embedDim, eps: 1e-5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ChannelNorm.Apply(norm, proj.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Efficient self-attention with spatial reduction: keys and values come from the map shrunk by a strided conv
/// (<c>sr</c>, then LayerNorm eps 1e-5), which is what keeps attention affordable at stride 4. Works on tokens B×N×C.
/// </summary>
public sealed class EfficientSelfAttention : Module<Tensor, long, long, Tensor>
{
    private readonly Linear q, kv, proj;
    private readonly Conv2d? sr;
    private readonly LayerNorm? norm;
    private readonly int _heads;

    public EfficientSelfAttention(int dim, int heads, int srRatio) : base(nameof(EfficientSelfAttention))
    {
        _heads = heads;
        q = Linear(dim, dim);
        kv = Linear(dim, dim * 2);
        proj = Linear(dim, dim);
        if (srRatio > 1)
        {
            sr = Conv2d(dim, dim, srRatio, stride: srRatio);
            norm = LayerNorm(dim, eps: 1e-5);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor t, long h, long w)
    {
        using var scope = NewDisposeScope();
        long b = t.shape[0], n = t.shape[1], c = t.shape[2], d = c / _heads;
        var query = q.call(t).view(b, n, _heads, d).transpose(1, 2);
        var source = t;
        if (sr is not null)
        {
            var map = t.transpose(1, 2).reshape(b, c, h, w);
            source = norm!.call(sr.call(map).flatten(2).transpose(1, 2));
        }
        var pairs = kv.call(source).view(b, -1, 2, _heads, d).permute(2, 0, 3, 1, 4);
        var attended = functional.scaled_dot_product_attention(query, pairs[0], pairs[1]);
        return proj.call(attended.transpose(1, 2).reshape(b, n, c)).MoveToOuterDisposeScope();
    }
}

/// <summary>The depthwise 3×3 conv inside Mix-FFN; wrapped so the key is <c>mlp.dwconv.dwconv.weight</c> as in smp.</summary>
public sealed class DepthwiseConv : Module<Tensor, long, long, Tensor>
{
    private readonly Conv2d dwconv;

    public DepthwiseConv(int dim) : base(nameof(DepthwiseConv))
    {
        dwconv = Conv2d(dim, dim, 3, padding: 1, groups: dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor t, long h, long w)
    {
        using var scope = NewDisposeScope();
        long b = t.shape[0], c = t.shape[2];
        return dwconv.call(t.transpose(1, 2).reshape(b, c, h, w)).flatten(2).transpose(1, 2).MoveToOuterDisposeScope();
    }
}

/// <summary>Mix-FFN: Linear → depthwise 3×3 conv → exact GELU → Linear (dropout 0).</summary>
public sealed class MixFfn : Module<Tensor, long, long, Tensor>
{
    private readonly Linear fc1, fc2;
    private readonly DepthwiseConv dwconv;

    public MixFfn(int dim, int hidden) : base(nameof(MixFfn))
    {
        fc1 = Linear(dim, hidden);
        dwconv = new DepthwiseConv(hidden);
        fc2 = Linear(hidden, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor t, long h, long w)
    {
        using var scope = NewDisposeScope();
        return fc2.call(functional.gelu(dwconv.call(fc1.call(t), h, w))).MoveToOuterDisposeScope();
    }
}

/// <summary>timm's DropPath: drops a whole sample's residual branch in training, scaling the kept ones by 1/keep.</summary>
internal static class DropPath
{
    public static Tensor Apply(Tensor branch, double p, bool training)
    {
        if (!training || p == 0) return branch;
        double keep = 1 - p;
        var shape = new long[branch.dim()];
        Array.Fill(shape, 1L);
        shape[0] = branch.shape[0];
        using var keepScalar = keep.ToScalar();
        using var mask = empty(shape, branch.dtype, branch.device).bernoulli_(keep).div_(keepScalar);
        return branch * mask;
    }
}

/// <summary>A pre-norm MiT block on an N×C×H×W map: t + attn(norm1(t)), then t + ffn(norm2(t)), with stochastic depth.</summary>
public sealed class MitBlock : Module<Tensor, Tensor>, IStochasticLayer
{
    private readonly LayerNorm norm1, norm2;
    private readonly EfficientSelfAttention attn;
    private readonly MixFfn mlp;
    private double _dropPath;

    /// <summary>This block's stochastic-depth rate (timm's linear schedule, 0 … 0.1 over the blocks).</summary>
    public double DropProbability { get => _dropPath; set => _dropPath = value; }

    public MitBlock(int dim, int heads, int mlpRatio, int srRatio, double dropPath) : base(nameof(MitBlock))
    {
        _dropPath = dropPath;
        norm1 = LayerNorm(dim, eps: 1e-6);
        attn = new EfficientSelfAttention(dim, heads, srRatio);
        norm2 = LayerNorm(dim, eps: 1e-6);
        mlp = new MixFfn(dim, dim * mlpRatio);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var t = x.flatten(2).transpose(1, 2);
        t = t.Plus(DropPath.Apply(attn.call(norm1.call(t), h, w), _dropPath, training));
        t = t.Plus(DropPath.Apply(mlp.call(norm2.call(t), h, w), _dropPath, training));
        return t.transpose(1, 2).reshape(b, c, h, w).MoveToOuterDisposeScope();
    }
}
