using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Reads a <c>.safetensors</c> file (8-byte little-endian header length, JSON header, raw row-major data) into
/// CPU tensors, checking that each tensor's byte range matches its dtype and shape.
/// </summary>
public static class SafetensorsFile
{
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    /// <summary>The JSON header bytes and where the data starts (8-byte length + header).</summary>
    private static byte[] ReadHeaderJson(string path, out long dataStart)
    {
        using var fs = File.OpenRead(path);
        Span<byte> lenBytes = stackalloc byte[8];
        if (fs.Read(lenBytes) != 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
        if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > fs.Length)
            throw new InvalidDataException($"{path}: implausible safetensors header length {headerLength}");
        var header = new byte[headerLength];
        fs.ReadExactly(header);
        dataStart = 8 + headerLength;
        return header;
    }

    public static IReadOnlyList<Entry> ReadHeader(string path, out long dataStart)
    {
        var entries = new List<Entry>();
        using var doc = JsonDocument.Parse(ReadHeaderJson(path, out dataStart));
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var offsets = p.Value.GetProperty("data_offsets");
            entries.Add(new Entry(p.Name, p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                offsets[0].GetInt64(), offsets[1].GetInt64()));
        }
        return entries;
    }

    /// <summary>The header's <c>__metadata__</c> strings (empty when absent).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var doc = JsonDocument.Parse(ReadHeaderJson(path, out _));
        return doc.RootElement.TryGetProperty("__metadata__", out var m)
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : [];
    }

    /// <summary>
    /// All tensors by name, in their stored dtype (callers convert). Each is read from the file straight into its own
    /// memory: a whole-file buffer beside them doubled the peak (a Unet's 294 MB checkpoint took 588 MB to load).
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        var entries = ReadHeader(path, out var dataStart);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var needed = dataStart + (entries.Count == 0 ? 0 : entries.Max(e => e.End));
        if (fs.Length < needed)
            throw new InvalidDataException($"{path} is truncated: it has {fs.Length:N0} bytes, its header needs {needed:N0} " +
                "(an interrupted copy or download). Fetch or rebuild it again.");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries.OrderBy(e => e.Begin)) // in file order: one pass forward
        {
            var type = TorchDTypes.FromSafetensors(e.DType)
                ?? throw new InvalidDataException($"{path}: tensor '{e.Name}' has unsupported dtype {e.DType}");
            var t = empty(e.Shape, type);
            long expected = t.NumberOfElements * t.ElementSize;
            if (e.End - e.Begin != expected)
                throw new InvalidDataException($"{path}: the header gives tensor '{e.Name}' ({e.DType} [{string.Join(",", e.Shape)}]) {e.End - e.Begin:N0} bytes, " +
                    $"but that dtype and shape take {expected:N0}: the file is damaged");
            fs.Position = dataStart + e.Begin;
            fs.ReadExactly(t.bytes);
            result[e.Name] = t;
        }
        return entries.ToDictionary(e => e.Name, e => result[e.Name], StringComparer.Ordinal); // the header's order, as before
    }
}
