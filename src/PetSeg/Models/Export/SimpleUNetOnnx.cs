namespace PetSeg.Models.Export;

/// <summary>The lab's SimpleUNet (<see cref="Lab.SimpleUNet"/>) as ONNX nodes: its height and width must be multiples of 4, as in PyTorch.</summary>
internal static class SimpleUNetOnnx
{
    public static string Emit(OnnxLayers l, string x, string? output)
    {
        string Block(string h, string p) => l.Relu(l.Conv(l.Relu(l.Conv(h, $"{p}.0")), $"{p}.2"));
        var h = l.MaxPool(Block(x, "conv1"), 2, 2, 0);
        h = l.MaxPool(Block(h, "conv2"), 2, 2, 0);
        h = Block(h, "bottleneck");
        h = Block(l.ConvTranspose(h, "upconv2", 2), "dec_conv2");
        h = Block(l.ConvTranspose(h, "upconv1", 2), "dec_conv1");
        return l.Conv(h, "out_conv", output: output);
    }
}
