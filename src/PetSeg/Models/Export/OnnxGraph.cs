using System.Runtime.InteropServices;
using PetSeg.IO;
using static TorchSharp.torch;

namespace PetSeg.Models.Export;

/// <summary>
/// An ONNX graph as it is built: its inputs, its weights (initializers, under the state_dict's names), its nodes in
/// order and its outputs, written as one model file (opset 17, which ONNX Runtime, OpenCV's DNN module and TensorRT read).
/// A dimension is a number or a name (<c>"N"</c>: any batch size).
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>ONNX's <c>TensorProto.DataType</c> values used here.</summary>
    public const int Float = 1, Uint8 = 2, Int64 = 7;

    public const int Opset = 17;

    /// <summary>The IR version that opset 17 came with.</summary>
    private const int IrVersion = 8;

    private readonly ProtoMessage _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _weights = new(StringComparer.Ordinal);
    private int _unnamed;

    public OnnxGraph(string name) => _graph.String(GraphName, name);

    /// <summary>Declares a graph input; returns its name.</summary>
    public string Input(string name, int elementType, params object[] dims)
    {
        _graph.Message(GraphInput, ValueInfo(Claim(name), elementType, dims));
        return name;
    }

    /// <summary>Declares a value computed by the graph as its output.</summary>
    public void Output(string name, int elementType, params object[] dims) => _graph.Message(GraphOutput, ValueInfo(name, elementType, dims));

    /// <summary>
    /// A weight from a tensor, stored as float32 (a bf16 model's weights widened) under <paramref name="name"/>; stored
    /// once however often it is asked for (a model emitted twice, for test-time augmentation, shares its weights).
    /// </summary>
    public string Weight(string name, Tensor value)
    {
        if (!_weights.Add(name)) return name;
        using var scope = NewDisposeScope();
        var floats = value.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return Initializer(name, Float, MemoryMarshal.AsBytes(floats.AsSpan()), value.shape);
    }

    public string Constant(string name, float[] values, params long[] dims) => Initializer(name, Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    public string Constant(string name, long[] values, params long[] dims) => Initializer(name, Int64, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    /// <summary>
    /// Appends a node; returns its output's name (<paramref name="output"/>, or a new one). An attribute's value is a
    /// long, a float, a string or a long[].
    /// </summary>
    public string Node(string op, string[] inputs, (string Name, object Value)[]? attributes = null, string? output = null)
    {
        output = Claim(output ?? $"{op.ToLowerInvariant()}_{++_unnamed}");
        var node = new ProtoMessage();
        foreach (var i in inputs) node.String(1, i);
        node.String(2, output).String(3, output).String(4, op);
        foreach (var (name, value) in attributes ?? []) node.Message(5, Attribute(name, value));
        _graph.Message(GraphNode, node);
        return output;
    }

    /// <summary>
    /// Writes the model file atomically: a crash leaves no half-written model under <paramref name="path"/>.
    /// <paramref name="metadata"/> becomes the model's metadata_props (ONNX Runtime: <c>ModelMetadata.CustomMetadataMap</c>).
    /// </summary>
    public void Save(string path, string docString, IReadOnlyDictionary<string, string> metadata)
    {
        // ModelProto: the graph (every weight) is written straight to the file, between the other fields, not copied
        // into the model first: the file's size in memory once, not twice. A message's fields may come in any order.
        var head = new ProtoMessage().Int(1, IrVersion).String(2, "petseg").String(3, PetSeg.Core.BuildVersion.Text).String(6, docString);
        var tail = new ProtoMessage().Message(8, new ProtoMessage().String(1, "").Int(2, Opset));
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            tail.Message(14, new ProtoMessage().String(1, key).String(2, value));
        AtomicFile.Write(path, file =>
        {
            head.WriteTo(file);
            _graph.WriteAsFieldTo(file, 7);
            tail.WriteTo(file);
        });
    }

    // GraphProto's fields.
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;

    private string Initializer(string name, int elementType, ReadOnlySpan<byte> littleEndian, IReadOnlyList<long> dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian; this machine is not");
        var tensor = new ProtoMessage();
        foreach (var d in dims) tensor.Int(1, d);
        tensor.Int(2, elementType).String(8, Claim(name)).Bytes(9, littleEndian);
        _graph.Message(GraphInitializer, tensor);
        return name;
    }

    private static ProtoMessage ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var d in dims)
            shape.Message(1, d switch
            {
                string symbol => new ProtoMessage().String(2, symbol),
                _ => new ProtoMessage().Int(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture)),
            });
        var tensorType = new ProtoMessage().Int(1, elementType).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
    }

    // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
    private static ProtoMessage Attribute(string name, object value)
    {
        var a = new ProtoMessage().String(1, name);
        switch (value)
        {
            case long i: a.Int(3, i).Int(20, 2); break;
            case int i: a.Int(3, i).Int(20, 2); break;
            case float f: a.Float(2, f).Int(20, 1); break;
            case string s: a.String(4, s).Int(20, 3); break;
            case long[] ints:
                foreach (var i in ints) a.Int(8, i);
                a.Int(20, 7);
                break;
            default: throw new ArgumentException($"attribute {name}: {value.GetType().Name} is not an ONNX attribute type here");
        }
        return a;
    }

    /// <summary>Every value in a graph has one name: a second use of one is a bug in the exporter, caught here.</summary>
    private string Claim(string name) =>
        _names.Add(name) ? name : throw new InvalidOperationException($"ONNX graph: the name '{name}' is used twice");
}
