using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>The one table of dtype names in PyTorch's file formats: pickle storage classes and safetensors dtypes.</summary>
public static class TorchDTypes
{
    private static readonly (ScalarType Type, string Storage, string Safetensors)[] Table =
    [
        (ScalarType.Float32, "FloatStorage", "F32"), (ScalarType.Float64, "DoubleStorage", "F64"),
        (ScalarType.Float16, "HalfStorage", "F16"), (ScalarType.BFloat16, "BFloat16Storage", "BF16"),
        (ScalarType.Int64, "LongStorage", "I64"), (ScalarType.Int32, "IntStorage", "I32"),
        (ScalarType.Int16, "ShortStorage", "I16"), (ScalarType.Int8, "CharStorage", "I8"),
        (ScalarType.Byte, "ByteStorage", "U8"), (ScalarType.Bool, "BoolStorage", "BOOL"),
    ];

    /// <summary>The pickle class name under <c>torch.</c>, e.g. <c>FloatStorage</c>.</summary>
    public static string StorageName(ScalarType t) => Find(t).Storage;

    public static string SafetensorsName(ScalarType t) => Find(t).Safetensors;

    /// <summary>Storage classes by their full pickle name (<c>torch.FloatStorage</c>).</summary>
    public static IReadOnlyDictionary<string, ScalarType> StorageTypes { get; } = Table.ToDictionary(e => "torch." + e.Storage, e => e.Type, StringComparer.Ordinal);

    public static ScalarType? FromSafetensors(string name) => Table.Where(e => e.Safetensors == name).Select(e => (ScalarType?)e.Type).FirstOrDefault();

    private static (ScalarType Type, string Storage, string Safetensors) Find(ScalarType t) =>
        Table.Where(e => e.Type == t).Select(e => ((ScalarType, string, string)?)e).FirstOrDefault()
        ?? throw new NotSupportedException($"dtype {t} cannot be written in PyTorch's formats");
}
