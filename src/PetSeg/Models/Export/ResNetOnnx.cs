namespace PetSeg.Models.Export;

/// <summary>
/// torchvision's ResNet as smp's encoder (<see cref="Encoders.ResNetEncoder"/>), read from the state_dict's
/// <c>encoder.*</c>: the blocks per layer and BasicBlock or Bottleneck come from the keys, so every depth is one code
/// path. Returns smp's six features: the input, the stem (stride 2), layer1..layer4 (strides 4 … 32).
/// </summary>
internal static class ResNetOnnx
{
    public static IReadOnlyList<OnnxFeature> Features(OnnxLayers l, string x)
    {
        var f1 = l.Relu(l.BatchNorm(l.Conv(x, "encoder.conv1", stride: 2), "encoder.bn1"));
        var h = l.MaxPool(f1, 3, 2, 1);
        var features = new List<string> { x, f1 };
        for (int layer = 1; layer <= 4; layer++)
        {
            l.Get($"encoder.layer{layer}.0.conv1.weight"); // each layer has a first block, or these are not a ResNet's weights
            for (int b = 0; l.Has($"encoder.layer{layer}.{b}.conv1.weight"); b++)
                h = Block(l, h, $"encoder.layer{layer}.{b}", stride: layer > 1 && b == 0 ? 2 : 1);
            features.Add(h);
        }
        return [.. features.Select(f => new OnnxFeature(f, l.SpatialSize(f)))];
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
