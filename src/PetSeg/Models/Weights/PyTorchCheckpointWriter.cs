using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PetSeg.IO;
using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Writes a state_dict that PyTorch reads back: a zip <c>.pth</c> (what <c>torch.save</c> writes; <c>torch.load</c>
/// with <c>weights_only=True</c> accepts it) or a <c>.safetensors</c> file. Both are written atomically.
/// </summary>
public static class PyTorchCheckpointWriter
{
    /// <summary>Zip entries carry this time, not the clock's, so equal weights give equal files (and equal stage keys).</summary>
    private static readonly DateTimeOffset FixedTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void SaveZip(string path, IEnumerable<KeyValuePair<string, Tensor>> stateDict, string folder = "archive")
    {
        var entries = stateDict.ToList();
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            void Add(string name, ReadOnlySpan<byte> data)
            {
                var entry = zip.CreateEntry($"{folder}/{name}", CompressionLevel.NoCompression);
                entry.LastWriteTime = FixedTime;
                using var s = entry.Open();
                s.Write(data);
            }
            Add("data.pkl", Pickle(entries));
            Add("byteorder", "little"u8);
            for (int i = 0; i < entries.Count; i++) Add($"data/{i}", Bytes(entries[i].Value));
            Add("version", "3\n"u8);
        });
    }

    /// <param name="metadata">Free-form strings stored in the header's <c>__metadata__</c> (safetensors allows only strings).</param>
    public static void SaveSafetensors(string path, IEnumerable<KeyValuePair<string, Tensor>> stateDict, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = stateDict.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is not null) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (k, t) in entries)
        {
            long n = t.NumberOfElements * t.ElementSize;
            header[k] = new { dtype = TorchDTypes.SafetensorsName(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + n } };
            offset += n;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8; // keep the data 8-byte aligned, as the reference writer does
        AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, padded);
            fs.Write(len);
            fs.Write(json);
            for (int i = json.Length; i < padded; i++) fs.WriteByte((byte)' ');
            foreach (var (_, t) in entries) fs.Write(Bytes(t));
        });
    }

    private static byte[] Bytes(Tensor t)
    {
        // In a scope every temporary stays referenced until the scope ends. Outside one, t.detach()'s result is
        // unreachable as soon as its handle is read, so a GC started by another thread can finalize it while libtorch
        // still reads it: that crashed a demo run (SIGSEGV in to_dtype_layout while writing an epoch checkpoint).
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().bytes.ToArray();
    }

    /// <summary>Protocol-2 pickle of an OrderedDict of <c>_rebuild_tensor_v2</c> calls over storages "0", "1", ….</summary>
    private static byte[] Pickle(List<KeyValuePair<string, Tensor>> entries)
    {
        var o = new MemoryStream();
        void Op(byte b) => o.WriteByte(b);
        void Global(string module, string name) { Op((byte)'c'); o.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); }
        void Str(string s) { var b = Encoding.UTF8.GetBytes(s); Op((byte)'X'); Span<byte> n = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(n, b.Length); o.Write(n); o.Write(b); }
        void Int(long v)
        {
            if (v is >= int.MinValue and <= int.MaxValue) { Op((byte)'J'); Span<byte> n = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(n, (int)v); o.Write(n); }
            else { Op(0x8a); Op(8); Span<byte> n = stackalloc byte[8]; BinaryPrimitives.WriteInt64LittleEndian(n, v); o.Write(n); }
        }
        void Tuple(IEnumerable<long> values) { Op((byte)'('); foreach (var v in values) Int(v); Op((byte)'t'); }
        void EmptyOrderedDict() { Global("collections", "OrderedDict"); Op((byte)')'); Op((byte)'R'); }

        Op(0x80); Op(2);
        EmptyOrderedDict();
        Op((byte)'(');
        for (int i = 0; i < entries.Count; i++)
        {
            var (key, t) = entries[i];
            Str(key);
            Global("torch._utils", "_rebuild_tensor_v2");
            Op((byte)'(');
            Op((byte)'('); Str("storage"); Global("torch", TorchDTypes.StorageName(t.dtype)); Str(i.ToString()); Str("cpu"); Int(t.NumberOfElements); Op((byte)'t');
            Op((byte)'Q');
            Int(0);
            Tuple(t.shape);
            Tuple(ContiguousStrides(t.shape));
            Op(0x89);
            EmptyOrderedDict();
            Op((byte)'t');
            Op((byte)'R');
        }
        Op((byte)'u');
        Op((byte)'.');
        return o.ToArray();
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = s; s *= Math.Max(1, shape[i]); }
        return strides;
    }
}
