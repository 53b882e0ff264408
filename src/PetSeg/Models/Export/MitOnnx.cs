namespace PetSeg.Models.Export;

/// <summary>
/// smp's MixVisionTransformer encoder (<see cref="Encoders.MixVisionTransformerEncoder"/>, MiT-b0 … b5), read from the
/// state_dict's <c>encoder.*</c>: four stages of overlapping patch embedding, blocks of efficient self-attention
/// (keys and values from the map shrunk by <c>sr</c>) and Mix-FFN, and a LayerNorm. Returns smp's six features: the
/// input, the missing stride-2 level (its size only), and the stages at strides 4 … 32.
/// </summary>
internal static class MitOnnx
{
    /// <summary>Attention heads per stage: the same for every MiT size.</summary>
    private static readonly long[] Heads = [1, 2, 5, 8];

    public static IReadOnlyList<OnnxFeature> Features(OnnxLayers l, string x)
    {
        var features = new List<OnnxFeature> { new(x, l.SpatialSize(x)), new(null, l.Divided(l.SpatialSize(x), 2)) };
        var h = x;
        for (int s = 1; s <= 4; s++)
        {
            h = l.ChannelNorm(l.Conv(h, $"encoder.patch_embed{s}.proj", stride: s == 1 ? 4 : 2), $"encoder.patch_embed{s}.norm", 1e-5f);
            for (int b = 0; l.Has($"encoder.block{s}.{b}.norm1.weight"); b++) h = Block(l, h, $"encoder.block{s}.{b}", Heads[s - 1]);
            h = l.ChannelNorm(h, $"encoder.norm{s}", 1e-6f);
            features.Add(new OnnxFeature(h, l.SpatialSize(h)));
        }
        return features;
    }

    /// <summary>A pre-norm block on a map: t + attention(norm1(t)), then t + Mix-FFN(norm2(t)) (stochastic depth is off in eval).</summary>
    private static string Block(OnnxLayers l, string map, string p, long heads)
    {
        var t = l.Tokens(map);
        t = l.Add(t, Attention(l, l.LayerNorm(t, $"{p}.norm1", 1e-6f), map, $"{p}.attn", heads));
        t = l.Add(t, MixFfn(l, l.LayerNorm(t, $"{p}.norm2", 1e-6f), map, $"{p}.mlp"));
        return l.Map(t, map);
    }

    private static string Attention(OnnxLayers l, string t, string map, string p, long heads)
    {
        var source = t;
        if (l.Has($"{p}.sr.weight"))
        {
            long ratio = l.Get($"{p}.sr.weight").shape[2]; // kernel = stride = the reduction ratio, no padding
            source = l.LayerNorm(l.Tokens(l.Conv(l.Map(t, map), $"{p}.sr", stride: ratio, padding: 0)), $"{p}.norm", 1e-5f);
        }
        long dim = l.Get($"{p}.q.weight").shape[0];
        return l.Linear(l.Attention(l.Linear(t, $"{p}.q"), l.Linear(source, $"{p}.kv"), heads, dim), $"{p}.proj");
    }

    /// <summary>Mix-FFN: Linear, depthwise 3×3 conv on the map, exact GELU, Linear.</summary>
    private static string MixFfn(OnnxLayers l, string t, string map, string p)
    {
        long hidden = l.Get($"{p}.fc1.weight").shape[0];
        var h = l.Map(l.Linear(t, $"{p}.fc1"), map);
        h = l.Tokens(l.Conv(h, $"{p}.dwconv.dwconv", groups: hidden));
        return l.Linear(l.Gelu(h), $"{p}.fc2");
    }
}
