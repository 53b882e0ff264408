using static TorchSharp.torch;

namespace PetSeg.Models.Weights.Pickle;

/// <summary>What <c>torch.save</c> pickles reduce to: storages (by key) and tensor views over them.</summary>
internal static class TorchPickle
{
    public sealed record StorageRef(string Key, ScalarType DType, long Numel);

    public sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    private static IReadOnlyDictionary<string, ScalarType> StorageTypes => TorchDTypes.StorageTypes;

    /// <summary>Every global a state_dict checkpoint needs; nothing here can run code.</summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter",
    }.Concat(StorageTypes.Keys).ToHashSet(StringComparer.Ordinal);

    /// <summary>Builds the value of an allowed call; the set of calls is closed, so this is all a pickle can do.</summary>
    public static object? Construct(PickleGlobal g, object?[] args, string source) => g.FullName switch
    {
        "collections.OrderedDict" when args.Length == 0 => new PickleDict(),
        "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" =>
            new TensorRef(args[0] as StorageRef ?? throw Bad(source, "tensor without a storage"), (long)args[1]!, Longs(args[2], source), Longs(args[3], source)),
        "torch._utils._rebuild_parameter" => args[0] as TensorRef ?? throw Bad(source, "parameter without tensor data"),
        _ => throw new UnsafePickleException($"{source}: refuses the call {g.FullName}({args.Length} args)"),
    };

    /// <summary>Persistent ids: <c>('storage', torch.FloatStorage, key, location, numel[, view_metadata])</c>.</summary>
    public static Func<object?, object?> StorageLoader(string source)
    {
        var seen = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        return pid =>
        {
            if (pid is not object?[] { Length: >= 5 } t || t[0] as string != "storage" || t[1] is not PickleGlobal type || t[2] is not string key)
                throw Bad(source, "unknown persistent id (not a storage)");
            if (!StorageTypes.TryGetValue(type.FullName, out var dtype))
                throw new UnsafePickleException($"{source}: unsupported storage type {type.FullName}");
            if (!seen.TryGetValue(key, out var storage))
                seen[key] = storage = new StorageRef(key, dtype, Convert.ToInt64(t[4]));
            return storage;
        };
    }

    /// <summary>The name → tensor dict inside the unpickled object: a plain state_dict, or one wrapped as {"state_dict": …} / {"model": …}.</summary>
    public static List<KeyValuePair<string, TensorRef>> FindStateDict(object? root, string source)
    {
        if (root is not PickleDict dict) throw Bad(source, "the pickled object is not a dict of tensors (a whole pickled model is not supported; save model.state_dict())");
        var tensors = dict.Where(p => p.Key is string && p.Value is TensorRef).Select(p => new KeyValuePair<string, TensorRef>((string)p.Key!, (TensorRef)p.Value!)).ToList();
        if (tensors.Count > 0) return tensors;
        foreach (var wrapper in new[] { "state_dict", "model", "model_state_dict" })
            if (dict.FirstOrDefault(p => wrapper.Equals(p.Key)).Value is PickleDict inner)
                return FindStateDict(inner, source);
        throw Bad(source, "no tensors found (expected a state_dict, or a dict with a 'state_dict' or 'model' entry)");
    }

    /// <summary>Materialises a view: a flat tensor over the storage bytes, then the strided view, copied out contiguous.</summary>
    public static Tensor Materialize(TensorRef t, ReadOnlySpan<byte> storageBytes, string key, string source)
    {
        // In a scope, view.contiguous()'s result stays referenced while clone() copies from it: outside one a GC started
        // by another thread could finalize it mid-copy (a SIGSEGV in copy_impl: docs/testing.md, "Tensor temporaries").
        using var scope = NewDisposeScope();
        var flat = empty(t.Storage.Numel, t.Storage.DType);
        long expected = t.Storage.Numel * flat.ElementSize;
        if (storageBytes.Length != expected)
            throw Bad(source, $"storage {t.Storage.Key} of '{key}' has {storageBytes.Length} bytes, expected {expected}");
        storageBytes.CopyTo(flat.bytes);
        long last = t.Offset + t.Size.Select((s, i) => s == 0 ? 0 : (s - 1) * t.Stride[i]).Sum();
        if (t.Size.Any(s => s == 0) ? t.Offset > t.Storage.Numel : last >= t.Storage.Numel)
            throw Bad(source, $"'{key}' reaches outside its storage");
        var view = flat.as_strided(t.Size, t.Stride, t.Offset);
        return view.contiguous().clone().MoveToOuterDisposeScope();
    }

    private static long[] Longs(object? o, string source) =>
        o is object?[] items ? items.Select(i => Convert.ToInt64(i)).ToArray() : throw Bad(source, "tensor size/stride is not a tuple");

    private static InvalidDataException Bad(string source, string what) => new($"{source}: {what}");
}
