using static TorchSharp.torch;

namespace PetSeg.Models.Export;

/// <summary>
/// PyTorch layers as ONNX nodes, reading their parameters from a state_dict by the layer's key prefix (the names the
/// models share with PyTorch): a convolution, BatchNorm in eval mode, ReLU, max-pooling, nearest resizing to another
/// value's size. The weights keep their state_dict names in the file.
/// </summary>
internal sealed class OnnxLayers(OnnxGraph graph, IReadOnlyDictionary<string, Tensor> weights, string model)
{
    public OnnxGraph Graph => graph;

    public bool Has(string key) => weights.ContainsKey(key);

    public Tensor Get(string key) =>
        weights.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"the weights have no '{key}', which a {model} has: they are not a {model}'s");

    /// <summary><c>nn.Conv2d</c> with padding k/2 (every convolution of these models), its bias where the state_dict has one.</summary>
    public string Conv(string x, string prefix, long stride = 1, string? output = null)
    {
        var w = Get(prefix + ".weight");
        long k = w.shape[2];
        var inputs = new List<string> { x, graph.Weight(prefix + ".weight", w) };
        if (Has(prefix + ".bias")) inputs.Add(graph.Weight(prefix + ".bias", Get(prefix + ".bias")));
        return graph.Node("Conv", [.. inputs], [("kernel_shape", new[] { k, k }), ("strides", new[] { stride, stride }), ("pads", new[] { k / 2, k / 2, k / 2, k / 2 })], output);
    }

    /// <summary><c>nn.ConvTranspose2d</c> without padding (PyTorch's weight layout [in, out, k, k] is ONNX's too).</summary>
    public string ConvTranspose(string x, string prefix, long stride)
    {
        var w = Get(prefix + ".weight");
        return graph.Node("ConvTranspose", [x, graph.Weight(prefix + ".weight", w), graph.Weight(prefix + ".bias", Get(prefix + ".bias"))],
            [("kernel_shape", new[] { w.shape[2], w.shape[3] }), ("strides", new[] { stride, stride })]);
    }

    /// <summary><c>nn.BatchNorm2d</c> in eval mode: the running statistics, eps 1e-5 (PyTorch's default, which every model uses).</summary>
    public string BatchNorm(string x, string prefix) =>
        graph.Node("BatchNormalization",
            [x, .. new[] { "weight", "bias", "running_mean", "running_var" }.Select(p => graph.Weight($"{prefix}.{p}", Get($"{prefix}.{p}")))],
            [("epsilon", 1e-5f)]);

    public string Relu(string x) => graph.Node("Relu", [x]);

    public string Add(string a, string b) => graph.Node("Add", [a, b]);

    public string MaxPool(string x, long kernel, long stride, long padding) =>
        graph.Node("MaxPool", [x], [("kernel_shape", new[] { kernel, kernel }), ("strides", new[] { stride, stride }), ("pads", new[] { padding, padding, padding, padding })]);

    /// <summary>
    /// <c>F.interpolate(x, size=like's H×W, mode="nearest")</c>: source index floor(dst · in / out), which is ONNX's
    /// asymmetric transform with floor rounding. The size is read from <paramref name="like"/> when the model runs, so any
    /// input size the model takes works.
    /// </summary>
    public string ResizeNearestLike(string x, string like)
    {
        var sizes = graph.Node("Concat", [graph.Node("Shape", [x], [("start", 0L), ("end", 2L)]), graph.Node("Shape", [like], [("start", 2L), ("end", 4L)])], [("axis", 0L)]);
        return graph.Node("Resize", [x, "", "", sizes], [("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")]);
    }
}
