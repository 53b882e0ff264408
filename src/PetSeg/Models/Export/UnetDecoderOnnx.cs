namespace PetSeg.Models.Export;

/// <summary>
/// smp's Unet decoder and head (<see cref="Decoders.UnetDecoder"/>) on any encoder's six features: from the deepest,
/// each block upsamples (nearest) to the next shallower feature's size and takes that feature as a skip where it has
/// one, then two Conv-BN-ReLU; the last block upsamples to the input's size; a 3×3 conv gives the logits.
/// </summary>
internal static class UnetDecoderOnnx
{
    public static string Emit(OnnxLayers l, IReadOnlyList<OnnxFeature> features, string? output)
    {
        var d = features[5].Value!;
        for (int i = 0; i < 5; i++)
        {
            var target = features[4 - i];
            d = l.ResizeNearest(d, target.Size);
            if (i < 4 && target.Value is { } skip) d = l.Concat(1, d, skip);
            d = l.Relu(l.BatchNorm(l.Conv(d, $"decoder.blocks.{i}.conv1.0"), $"decoder.blocks.{i}.conv1.1"));
            d = l.Relu(l.BatchNorm(l.Conv(d, $"decoder.blocks.{i}.conv2.0"), $"decoder.blocks.{i}.conv2.1"));
        }
        return l.Conv(d, "segmentation_head.0", output: output);
    }
}
