namespace PetSeg.Models.Export;

/// <summary>
/// smp's Segformer decoder and head (<see cref="Decoders.SegformerDecoder"/>, <see cref="Smp.Segformer"/>) on any
/// encoder's features, as smp computes it: each stage (deepest first; a MiT's missing stride-2 level left out, a
/// ResNet's stem kept) projected per pixel to 256 channels and resized bilinearly to a quarter of the input's size,
/// concatenated, fused by a 1×1 Conv-BN-ReLU; a 1×1 conv, then ×4 bilinear upsampling with align_corners.
/// </summary>
internal static class SegformerDecoderOnnx
{
    public static string Emit(OnnxLayers l, IReadOnlyList<OnnxFeature> features, string? output)
    {
        var stages = features.Skip(1).Where(f => f.Value is not null).Reverse().ToList();
        var quarter = l.Divided(features[0].Size, 4);
        var parts = stages.Select((f, i) =>
            l.ResizeBilinear(l.Map(l.Linear(l.Tokens(f.Value!), $"decoder.mlp_stage.{i}.linear"), f.Value!), quarter, alignCorners: false)).ToArray();
        var fused = l.Relu(l.BatchNorm(l.Conv(l.Concat(1, parts), "decoder.fuse_stage.0"), "decoder.fuse_stage.1"));
        var logits = l.Conv(fused, "segmentation_head.0");
        return l.ResizeBilinear(logits, l.Times(l.SpatialSize(logits), 4), alignCorners: true, output);
    }
}
