using static TorchSharp.torch;

namespace PetSeg.Models.Export;

/// <summary>
/// PyTorch layers as ONNX nodes, reading their parameters from a state_dict by the layer's key prefix (the names the
/// models share with PyTorch): convolutions, BatchNorm in eval mode, LayerNorm, Linear, GELU, attention's pieces,
/// pooling and resizing. The weights keep their state_dict names and layouts in the file. Sizes are read from the
/// values when the model runs, so a graph takes every input size its model takes.
/// </summary>
internal sealed class OnnxLayers(OnnxGraph graph, IReadOnlyDictionary<string, Tensor> weights, string model)
{
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);

    public OnnxGraph Graph => graph;

    public bool Has(string key) => weights.ContainsKey(key);

    public Tensor Get(string key) =>
        weights.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"the weights have no '{key}', which a {model} has: they are not a {model}'s");

    private string W(string key) => graph.Weight(key, Get(key));

    /// <summary>A float32 constant of one value, shared by every node that uses it.</summary>
    public string Scalar(float value) => Shared($"f{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", n => graph.Constant(n, [value]));

    /// <summary>An int64 vector constant (shapes, indices), shared likewise.</summary>
    public string Ints(params long[] values) => Shared($"i{string.Join('_', values)}", n => graph.Constant(n, values, values.Length));

    /// <summary>An int64 scalar (a Gather index that drops its axis).</summary>
    public string Index(long value) => Shared($"index{value}", n => graph.Constant(n, [value]));

    private string Shared(string key, Func<string, string> create)
    {
        if (!_constants.TryGetValue(key, out var name)) _constants[key] = name = create("const_" + key.Replace('.', 'p').Replace('-', 'm'));
        return name;
    }

    /// <summary><c>nn.Conv2d</c>: padding k/2 unless given, its bias where the state_dict has one, groups for a depthwise one.</summary>
    public string Conv(string x, string prefix, long stride = 1, long? padding = null, long groups = 1, string? output = null)
    {
        var w = Get(prefix + ".weight");
        long k = w.shape[2], p = padding ?? k / 2;
        var inputs = new List<string> { x, W(prefix + ".weight") };
        if (Has(prefix + ".bias")) inputs.Add(W(prefix + ".bias"));
        return graph.Node("Conv", [.. inputs],
            [("kernel_shape", new[] { k, w.shape[3] }), ("strides", new[] { stride, stride }), ("pads", new[] { p, p, p, p }), ("group", groups)], output);
    }

    /// <summary><c>nn.ConvTranspose2d</c> without padding (PyTorch's weight layout [in, out, k, k] is ONNX's too).</summary>
    public string ConvTranspose(string x, string prefix, long stride)
    {
        var w = Get(prefix + ".weight");
        return graph.Node("ConvTranspose", [x, W(prefix + ".weight"), W(prefix + ".bias")],
            [("kernel_shape", new[] { w.shape[2], w.shape[3] }), ("strides", new[] { stride, stride })]);
    }

    /// <summary><c>nn.BatchNorm2d</c> in eval mode: the running statistics, eps 1e-5 (PyTorch's default, which every model uses).</summary>
    public string BatchNorm(string x, string prefix) =>
        graph.Node("BatchNormalization", [x, .. new[] { "weight", "bias", "running_mean", "running_var" }.Select(p => W($"{prefix}.{p}"))], [("epsilon", 1e-5f)]);

    /// <summary><c>nn.LayerNorm</c> over the last axis.</summary>
    public string LayerNorm(string x, string prefix, float eps) =>
        graph.Node("LayerNormalization", [x, W(prefix + ".weight"), W(prefix + ".bias")], [("axis", -1L), ("epsilon", eps)]);

    /// <summary>LayerNorm over the channels of an N×C×H×W map (each pixel's channel vector).</summary>
    public string ChannelNorm(string map, string prefix, float eps) =>
        graph.Node("Transpose", [LayerNorm(graph.Node("Transpose", [map], [("perm", new long[] { 0, 2, 3, 1 })]), prefix, eps)], [("perm", new long[] { 0, 3, 1, 2 })]);

    /// <summary><c>nn.Linear</c> on the last axis, x · Wᵀ + b, the weight kept as PyTorch lays it out ([out, in]) and transposed by a node.</summary>
    public string Linear(string x, string prefix) => Linear(x, prefix + ".weight", Has(prefix + ".bias") ? prefix + ".bias" : null);

    public string Linear(string x, string weightKey, string? biasKey)
    {
        var y = graph.Node("MatMul", [x, graph.Node("Transpose", [W(weightKey)], [("perm", new long[] { 1, 0 })])]);
        return biasKey is null ? y : graph.Node("Add", [y, W(biasKey)]);
    }

    /// <summary>The exact GELU, x · ½(1 + erf(x / √2)): opset 17 has no Gelu node.</summary>
    public string Gelu(string x)
    {
        var erf = graph.Node("Erf", [graph.Node("Div", [x, Scalar(MathF.Sqrt(2f))])]);
        return graph.Node("Mul", [graph.Node("Mul", [x, graph.Node("Add", [erf, Scalar(1f)])]), Scalar(0.5f)]);
    }

    public string Relu(string x) => graph.Node("Relu", [x]);

    public string Add(string a, string b) => graph.Node("Add", [a, b]);

    public string Concat(long axis, params string[] values) => graph.Node("Concat", values, [("axis", axis)]);

    public string Transpose(string x, params long[] perm) => graph.Node("Transpose", [x], [("perm", perm)]);

    /// <summary><c>x[..., start:end]</c> along one axis.</summary>
    public string Slice(string x, long axis, long start, long end) => graph.Node("Slice", [x, Ints(start), Ints(end), Ints(axis)]);

    /// <summary>A left-right mirror of a map (<c>x.flip(3)</c>): the width axis read backwards.</summary>
    public string FlipWidth(string x) => graph.Node("Slice", [x, Ints(-1), Ints(long.MinValue), Ints(3), Ints(-1)]);

    /// <summary>A reshape; 0 in <paramref name="shape"/> keeps that axis, −1 takes what is left.</summary>
    public string Reshape(string x, params long[] shape) => graph.Node("Reshape", [x, Ints(shape)]);

    public string MaxPool(string x, long kernel, long stride, long padding) =>
        graph.Node("MaxPool", [x], [("kernel_shape", new[] { kernel, kernel }), ("strides", new[] { stride, stride }), ("pads", new[] { padding, padding, padding, padding })]);

    /// <summary>The height and width of a map, [H, W], as the model runs.</summary>
    public string SpatialSize(string map) => graph.Node("Shape", [map], [("start", 2L), ("end", 4L)]);

    /// <summary>[H, W] divided (integer division) or multiplied by a whole number.</summary>
    public string Divided(string size, long by) => graph.Node("Div", [size, Ints(by)]);

    public string Times(string size, long by) => graph.Node("Mul", [size, Ints(by)]);

    /// <summary>A map [B,C,H,W] as tokens [B,H·W,C].</summary>
    public string Tokens(string map) => Transpose(Reshape(map, 0, 0, -1), 0, 2, 1);

    /// <summary>Tokens [B,H·W,C] as a map [B,C,H,W], H and W those of <paramref name="like"/>.</summary>
    public string Map(string tokens, string like) => graph.Node("Reshape", [Transpose(tokens, 0, 2, 1), Concat(0, Ints(0, -1), SpatialSize(like))]);

    /// <summary>
    /// <c>F.interpolate(x, size, mode="nearest")</c>: source index floor(dst · in / out), which is ONNX's asymmetric
    /// transform with floor rounding.
    /// </summary>
    public string ResizeNearest(string x, string size) =>
        graph.Node("Resize", [x, "", "", Sizes(x, size)], [("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor")]);

    /// <summary>
    /// <c>F.interpolate(x, size, mode="bilinear", align_corners=…)</c>: ONNX's half_pixel transform (the source index
    /// clamped at the edges, as PyTorch clamps it) or align_corners.
    /// </summary>
    public string ResizeBilinear(string x, string size, bool alignCorners, string? output = null) =>
        graph.Node("Resize", [x, "", "", Sizes(x, size)], [("mode", "linear"), ("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel")], output);

    /// <summary>Resize's full output shape: <paramref name="x"/>'s batch and channels, then [H, W] from <paramref name="size"/>.</summary>
    private string Sizes(string x, string size) => Concat(0, graph.Node("Shape", [x], [("start", 0L), ("end", 2L)]), size);

    /// <summary>
    /// Multi-head attention's core, softmax(q·kᵀ / √d)·v, on q [B,N,C] and kv's source [B,M,C] projected by
    /// <paramref name="kv"/> (keys then values in one projection, PyTorch's packed layout): returns [B,N,C].
    /// </summary>
    public string Attention(string q, string kvPacked, long heads, long dim)
    {
        long d = dim / heads;
        var query = Transpose(Reshape(q, 0, -1, heads, d), 0, 2, 1, 3);                    // [B,h,N,d]
        var pairs = Transpose(Reshape(kvPacked, 0, -1, 2, heads, d), 2, 0, 3, 1, 4);          // [2,B,h,M,d]
        var key = graph.Node("Gather", [pairs, Index(0)], [("axis", 0L)]);
        var value = graph.Node("Gather", [pairs, Index(1)], [("axis", 0L)]);
        var scores = graph.Node("Mul", [graph.Node("MatMul", [query, Transpose(key, 0, 1, 3, 2)]), Scalar((float)(1.0 / Math.Sqrt(d)))]);
        var attended = graph.Node("MatMul", [graph.Node("Softmax", [scores], [("axis", -1L)]), value]);
        return Reshape(Transpose(attended, 0, 2, 1, 3), 0, 0, -1);                           // [B,N,C]
    }
}
