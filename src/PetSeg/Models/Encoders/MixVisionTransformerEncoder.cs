using PetSeg.Models.Init;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PetSeg.Models.Encoders;

/// <summary>
/// smp's MixVisionTransformerEncoder: four stages of overlapping patch embedding, MiT blocks and a LayerNorm (eps
/// 1e-6), sized by a <see cref="MitSize"/> (b0 … b5; heads, reduction ratios and the MLP ratio are the same for all).
/// Returns smp's six features: the input, a 0-channel placeholder for the missing stride-2 level, and the stage
/// outputs at strides 4, 8, 16, 32.
/// </summary>
public sealed class MixVisionTransformerEncoder : Module<Tensor, Tensor[]>
{
    private static readonly int[] Heads = [1, 2, 5, 8], SrRatios = [8, 4, 2, 1];
    private const int MlpRatio = 4;
    private const double DropPathRate = 0.1;

    private readonly OverlapPatchEmbed patch_embed1, patch_embed2, patch_embed3, patch_embed4;
    private readonly ModuleList<MitBlock> block1, block2, block3, block4;
    private readonly LayerNorm norm1, norm2, norm3, norm4;

    public MixVisionTransformerEncoder(MitSize size, int inChannels = 3) : base(nameof(MixVisionTransformerEncoder))
    {
        var (dims, depths) = (size.EmbedDims, size.Depths);
        patch_embed1 = new OverlapPatchEmbed(7, 4, inChannels, dims[0]);
        patch_embed2 = new OverlapPatchEmbed(3, 2, dims[0], dims[1]);
        patch_embed3 = new OverlapPatchEmbed(3, 2, dims[1], dims[2]);
        patch_embed4 = new OverlapPatchEmbed(3, 2, dims[2], dims[3]);
        // Stochastic-depth rates rise linearly over all blocks: linspace(0, 0.1, Σ depths).
        int total = depths.Sum(), k = 0;
        ModuleList<MitBlock> Stage(int s) => new(Enumerable.Range(0, depths[s])
            .Select(_ => new MitBlock(dims[s], Heads[s], MlpRatio, SrRatios[s], DropPathRate * k++ / (total - 1))).ToArray());
        block1 = Stage(0); block2 = Stage(1); block3 = Stage(2); block4 = Stage(3);
        norm1 = LayerNorm(dims[0], eps: 1e-6);
        norm2 = LayerNorm(dims[1], eps: 1e-6);
        norm3 = LayerNorm(dims[2], eps: 1e-6);
        norm4 = LayerNorm(dims[3], eps: 1e-6);
        RegisterComponents();
    }

    private static Tensor RunStage(Tensor x, OverlapPatchEmbed embed, ModuleList<MitBlock> blocks, LayerNorm norm)
    {
        using var scope = NewDisposeScope();
        x = embed.call(x);
        foreach (var block in blocks) x = block.call(x);
        return ChannelNorm.Apply(norm, x).MoveToOuterDisposeScope();
    }

    public override Tensor[] forward(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        if (h % 32 != 0 || w % 32 != 0)
            throw new ArgumentException($"MiT encoder input is {h}×{w}; height and width must be divisible by 32 (as in smp's Segformer)");
        var s1 = RunStage(x, patch_embed1, block1, norm1);
        var s2 = RunStage(s1, patch_embed2, block2, norm2);
        var s3 = RunStage(s2, patch_embed3, block3, norm3);
        var s4 = RunStage(s3, patch_embed4, block4, norm4);
        var dummy = empty([x.shape[0], 0, h / 2, w / 2], x.dtype, x.device);
        return [x.alias(), dummy, s1, s2, s3, s4];
    }

    /// <summary>The MiT init (Linear trunc-normal 0.02, LayerNorm 1/0, conv normal with fan-out), used without ImageNet weights.</summary>
    /// <summary>The encoder with MiT's init (what smp starts from when no ImageNet weights are loaded).</summary>
    public static MixVisionTransformerEncoder Initialized(MixVisionTransformerEncoder e)
    {
        e.InitializeLikeMit();
        return e;
    }

    public void InitializeLikeMit()
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in named_modules())
        {
            switch (m)
            {
                case Linear l:
                    TruncatedNormal.Fill_(l.weight, std: 0.02); // not init.trunc_normal_: see TruncatedNormal
                    if (l.bias is not null) init.zeros_(l.bias);
                    break;
                case LayerNorm ln:
                    init.ones_(ln.weight); init.zeros_(ln.bias);
                    break;
                case Conv2d c:
                    init.normal_(c.weight, 0, Math.Sqrt(2.0 / FanOut(c)));
                    if (c.bias is not null) init.zeros_(c.bias);
                    break;
            }
        }
    }

    private static double FanOut(Conv2d c)
    {
        // fan_out = k·k·out_channels / groups; the weight is [out, in/groups, k, k], so groups = in / (in/groups).
        var w = c.weight.shape;
        long groups = c.in_channels / w[1];
        return (double)w[2] * w[3] * w[0] / groups;
    }
}
