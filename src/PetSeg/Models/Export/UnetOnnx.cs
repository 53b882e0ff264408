namespace PetSeg.Models.Export;

/// <summary>
/// smp's Unet on a torchvision ResNet (<c>unet-resnet18</c> … <c>unet-resnet152</c>) as ONNX nodes, read from its
/// state_dict: the blocks per layer and BasicBlock or Bottleneck come from the keys, so every depth is one code path.
/// Mirrors <see cref="Smp.Unet"/>, <see cref="Encoders.ResNetEncoder"/> and <see cref="Decoders.UnetDecoder"/>.
/// </summary>
internal static class UnetOnnx
{
    public static string Emit(OnnxLayers l, string x, string output)
    {
        // The encoder: the stem (f1, stride 2), max-pool, layer1..layer4 (f2..f5); the input itself is f0.
        var f1 = l.Relu(l.BatchNorm(l.Conv(x, "encoder.conv1", stride: 2), "encoder.bn1"));
        var h = l.MaxPool(f1, 3, 2, 1);
        var features = new List<string> { x, f1 };
        for (int layer = 1; layer <= 4; layer++)
        {
            if (!l.Has($"encoder.layer{layer}.0.conv1.weight")) l.Get($"encoder.layer{layer}.0.conv1.weight"); // says which key is missing
            for (int b = 0; l.Has($"encoder.layer{layer}.{b}.conv1.weight"); b++)
                h = Block(l, h, $"encoder.layer{layer}.{b}", stride: layer > 1 && b == 0 ? 2 : 1);
            features.Add(h);
        }
        // The decoder: from f5, each block upsamples to the next shallower feature's size and takes it as a skip
        // (the last one upsamples to the input's size, with no skip).
        var d = features[5];
        for (int i = 0; i < 5; i++)
        {
            var target = features[4 - i];
            d = l.ResizeNearestLike(d, target);
            if (i < 4) d = l.Graph.Node("Concat", [d, target], [("axis", 1L)]);
            d = l.Relu(l.BatchNorm(l.Conv(d, $"decoder.blocks.{i}.conv1.0"), $"decoder.blocks.{i}.conv1.1"));
            d = l.Relu(l.BatchNorm(l.Conv(d, $"decoder.blocks.{i}.conv2.0"), $"decoder.blocks.{i}.conv2.1"));
        }
        return l.Conv(d, "segmentation_head.0", output: output);
    }

    /// <summary>torchvision's BasicBlock or Bottleneck (it has a conv3), the stride on its 3×3, a projection where the state_dict has one.</summary>
    private static string Block(OnnxLayers l, string x, string p, long stride)
    {
        string y;
        if (l.Has($"{p}.conv3.weight"))
        {
            y = l.Relu(l.BatchNorm(l.Conv(x, $"{p}.conv1"), $"{p}.bn1"));
            y = l.Relu(l.BatchNorm(l.Conv(y, $"{p}.conv2", stride), $"{p}.bn2"));
            y = l.BatchNorm(l.Conv(y, $"{p}.conv3"), $"{p}.bn3");
        }
        else
        {
            y = l.Relu(l.BatchNorm(l.Conv(x, $"{p}.conv1", stride), $"{p}.bn1"));
            y = l.BatchNorm(l.Conv(y, $"{p}.conv2"), $"{p}.bn2");
        }
        var identity = l.Has($"{p}.downsample.0.weight") ? l.BatchNorm(l.Conv(x, $"{p}.downsample.0", stride), $"{p}.downsample.1") : x;
        return l.Relu(l.Add(y, identity));
    }
}
