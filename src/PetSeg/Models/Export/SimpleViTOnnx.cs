namespace PetSeg.Models.Export;

/// <summary>
/// The lab's SimpleViTSegmentation (<see cref="Lab.SimpleViTSegmentation"/>) as ONNX nodes, for the one square size
/// its position embedding was built for: patches flattened in (p1, p2, c) order, LayerNorm and Linear, the positions
/// added, pre-norm transformer blocks (PyTorch's packed q, k, v projection), a per-patch LayerNorm and Linear, and the
/// logit grid resized bilinearly (align_corners=False) to the input's size.
/// </summary>
internal static class SimpleViTOnnx
{
    public static string Emit(OnnxLayers l, ModelSpec spec, string x, string? output)
    {
        long p = spec.PatchSize, grid = spec.ImageSize / spec.PatchSize, c = spec.InChannels;
        var t = l.Reshape(l.Transpose(l.Reshape(x, 0, c, grid, p, grid, p), 0, 2, 4, 3, 5, 1), 0, grid * grid, p * p * c);
        t = l.Linear(l.LayerNorm(t, "patch_embedding.1", 1e-5f), "patch_embedding.2");
        t = l.Add(t, l.Graph.Weight("pos_embedding", l.Get("pos_embedding")));
        long dim = l.Get("patch_embedding.2.weight").shape[0];
        for (int b = 0; l.Has($"transformer_encoder.{b}.norm1.weight"); b++)
        {
            var pre = $"transformer_encoder.{b}";
            var qkv = l.Linear(l.LayerNorm(t, $"{pre}.norm1", 1e-5f), $"{pre}.attn.in_proj_weight", $"{pre}.attn.in_proj_bias");
            var attended = l.Attention(l.Slice(qkv, 2, 0, dim), l.Slice(qkv, 2, dim, 3 * dim), spec.Heads, dim);
            t = l.Add(t, l.Linear(attended, $"{pre}.attn.out_proj"));
            t = l.Add(t, l.Linear(l.Gelu(l.Linear(l.LayerNorm(t, $"{pre}.norm2", 1e-5f), $"{pre}.mlp.0")), $"{pre}.mlp.3"));
        }
        var patches = l.Linear(l.LayerNorm(t, "segmentation_head.0", 1e-5f), "segmentation_head.1");
        var logits = l.Transpose(l.Reshape(patches, 0, grid, grid, -1), 0, 3, 1, 2);
        return l.ResizeBilinear(logits, l.SpatialSize(x), alignCorners: false, output);
    }
}
