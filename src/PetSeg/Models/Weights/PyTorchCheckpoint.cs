using System.Buffers.Binary;
using System.IO.Compression;
using PetSeg.Models.Weights.Pickle;
using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Reads a PyTorch state_dict from a zip <c>.pth</c> (torch ≥ 1.6), a legacy pickle-stream <c>.pth</c> (pre-1.6, or
/// <c>_use_new_zipfile_serialization=False</c>) or a <c>.safetensors</c> file, detected by content, not by name.
/// Pickles go through <see cref="RestrictedUnpickler"/>: only tensors, storages and plain containers are accepted.
/// </summary>
public static class PyTorchCheckpoint
{
    private static readonly byte[] LegacyMagic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]; // 0x1950a86a20f9469cfc6c, LE

    public static CheckpointFormat Detect(string path)
    {
        Span<byte> head = stackalloc byte[512];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (n >= 4 && head[..4].SequenceEqual("PK\u0003\u0004"u8)) return CheckpointFormat.Zip;
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5) return CheckpointFormat.Legacy;
        if (n >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
            throw new InvalidDataException($"{path}: this is the historical tar-format torch checkpoint (e.g. resnet34-333f7ec4.pth), which only old PyTorch reads. " +
                "Use the zip re-upload (resnet34-b627a593.pth) or the .safetensors file instead.");
        if (n >= 9 && BinaryPrimitives.ReadInt64LittleEndian(head) is > 0 and < 100_000_000 && head[8] == (byte)'{') return CheckpointFormat.Safetensors;
        throw new InvalidDataException($"{path}: not a PyTorch checkpoint (expected a zip .pth, a legacy pickle .pth or a .safetensors file)");
    }

    /// <summary>All tensors by name in file order (safetensors: header order), in their stored dtype.</summary>
    public static List<KeyValuePair<string, Tensor>> Load(string path) => Detect(path) switch
    {
        CheckpointFormat.Zip => LoadZip(path),
        CheckpointFormat.Legacy => LoadLegacy(path),
        _ => SafetensorsFile.Load(path).ToList(),
    };

    private static List<KeyValuePair<string, Tensor>> LoadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        // The records sit under one folder named after whatever the file was called when saved ('archive', a stem, …).
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            ?? throw new InvalidDataException($"{path}: zip file without <folder>/data.pkl, so not a torch.save checkpoint");
        var prefix = pkl.FullName[..^"data.pkl".Length];
        if (zip.GetEntry(prefix + "byteorder") is { } order)
        {
            using var r = new StreamReader(order.Open());
            var text = r.ReadToEnd().Trim();
            if (text != "little") throw new InvalidDataException($"{path}: byte order '{text}' is not supported (little-endian only)");
        }
        object? root;
        using (var s = new MemoryStream())
        {
            using (var p = pkl.Open()) p.CopyTo(s);
            s.Position = 0;
            root = Unpickle(s, path);
        }
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (key, t) in TorchPickle.FindStateDict(root, path))
        {
            var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}") ?? throw new InvalidDataException($"{path}: storage record data/{t.Storage.Key} of '{key}' is missing");
            var bytes = new byte[entry.Length];
            using (var es = entry.Open()) es.ReadExactly(bytes);
            result.Add(new(key, TorchPickle.Materialize(t, bytes, key, path)));
        }
        return result;
    }

    private static List<KeyValuePair<string, Tensor>> LoadLegacy(string path)
    {
        using var fs = new BufferedStream(File.OpenRead(path), 1 << 20);
        var magic = Unpickle(fs, path);
        if (magic is not System.Numerics.BigInteger big || !big.ToByteArray().SequenceEqual(LegacyMagic))
            throw new InvalidDataException($"{path}: a pickle, but not a torch.save checkpoint (wrong magic number)");
        if (Unpickle(fs, path) is not long protocol || protocol != 1001)
            throw new InvalidDataException($"{path}: unsupported legacy torch protocol version");
        Unpickle(fs, path); // sys_info: endianness and type sizes, which every supported platform shares
        var root = Unpickle(fs, path);
        var keys = Unpickle(fs, path) as List<object?> ?? throw new InvalidDataException($"{path}: storage key list missing");
        // Raw storages follow in the order of that list, each as an int64 element count and the bytes.
        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var state = TorchPickle.FindStateDict(root, path);
        var sizes = state.Select(p => p.Value.Storage).DistinctBy(s => s.Key).ToDictionary(s => s.Key, s => s);
        Span<byte> count = stackalloc byte[8];
        foreach (var k in keys.Cast<string>())
        {
            fs.ReadExactly(count);
            long numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            int elementSize = sizes.TryGetValue(k, out var s) ? ElementSize(s.DType) : throw new InvalidDataException($"{path}: storage {k} is not used by any tensor");
            var bytes = new byte[checked(numel * elementSize)];
            fs.ReadExactly(bytes);
            storages[k] = bytes;
        }
        return state.Select(p => new KeyValuePair<string, Tensor>(p.Key, TorchPickle.Materialize(p.Value,
            storages.TryGetValue(p.Value.Storage.Key, out var b) ? b : throw new InvalidDataException($"{path}: storage {p.Value.Storage.Key} of '{p.Key}' is missing"), p.Key, path))).ToList();
    }

    private static int ElementSize(ScalarType t)
    {
        using var probe = empty(0, t);
        return (int)probe.ElementSize;
    }

    private static object? Unpickle(Stream s, string path) =>
        new RestrictedUnpickler(s, TorchPickle.AllowedGlobals, (g, a) => TorchPickle.Construct(g, a, path), TorchPickle.StorageLoader(path), path).Load();
}
