using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>
/// Copies a state dict into a module by name (never by position: TorchSharp lists parameters before buffers),
/// converting dtype (fp16 files into fp32 modules) and checking every shape, which TorchSharp's own loaders do not.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Reads a PyTorch file in any format (<see cref="PyTorchCheckpoint"/>), loads it, and frees the file's tensors.</summary>
    public static void LoadFile(nn.Module module, string path, Func<string, string?>? mapKey = null, Func<string, bool>? mayBeMissing = null)
    {
        var state = PyTorchCheckpoint.Load(path);
        try { Load(module, state, Path.GetFileName(path), strict: true, mapKey, mayBeMissing); }
        finally { foreach (var (_, t) in state) t.Dispose(); }
    }

    /// <param name="source">Name of the file or origin, for messages.</param>
    /// <param name="strict">When false, missing and unexpected keys are tolerated (shape mismatches never are).</param>
    /// <param name="mapKey">Renames or drops (null) a source key before matching, e.g. to load an encoder-only file.</param>
    /// <param name="mayBeMissing">Model keys a file may lack even in strict mode (old checkpoints have no <c>num_batches_tracked</c>).</param>
    public static void Load(nn.Module module, IEnumerable<KeyValuePair<string, Tensor>> stateDict, string source, bool strict = true,
        Func<string, string?>? mapKey = null, Func<string, bool>? mayBeMissing = null)
    {
        var target = module.state_dict();
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in stateDict)
            if ((mapKey is null ? k : mapKey(k)) is { } name) mapped[name] = v;

        var missing = target.Keys.Where(k => !mapped.ContainsKey(k) && !(mayBeMissing?.Invoke(k) ?? false)).Order(StringComparer.Ordinal).ToList();
        var unexpected = mapped.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var shapes = mapped.Where(p => target.TryGetValue(p.Key, out var t) && !t.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key}: file has [{string.Join(", ", p.Value.shape)}], model has [{string.Join(", ", target[p.Key].shape)}]")
            .Order(StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        if (shapes.Count > 0) problems.Add($"{shapes.Count} shape mismatch(es):" + Listed(shapes));
        if (strict && missing.Count > 0) problems.Add($"{missing.Count} missing key(s) (in the model, not in the file):" + Listed(missing));
        if (strict && unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s) (in the file, not in the model):" + Listed(unexpected));
        if (problems.Count > 0)
            throw new WeightsMismatchException($"{source} does not fit {module.GetName()}:\n  " + string.Join("\n  ", problems));

        using var noGrad = no_grad();
        foreach (var (k, v) in mapped)
            if (target.TryGetValue(k, out var t))
            {
                using var scope = NewDisposeScope(); // frees the dtype conversion at once, not at the next GC
                t.copy_(v.to(t.dtype));
            }
    }

    /// <summary>
    /// The first dozen of a list, one per line: a file for another architecture misses hundreds of keys, and the first
    /// few say what happened as well as all of them.
    /// </summary>
    private static string Listed(IReadOnlyList<string> items, int most = 12) =>
        "\n    " + string.Join("\n    ", items.Take(most)) + (items.Count > most ? $"\n    … and {items.Count - most} more" : "");
}
