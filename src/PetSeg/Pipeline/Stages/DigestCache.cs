using System.Collections.Concurrent;
using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Pipeline.Stages;

/// <summary>
/// File digests memoised by (full path, size, mtime), in memory and optionally on disk, so an unchanged multi-GB
/// input is hashed once rather than on every run.
/// </summary>
public sealed class DigestCache(string? persistPath = null)
{
    private sealed record Entry(long Size, long MTimeTicks, string Digest);
    private readonly ConcurrentDictionary<string, Entry> _entries = Load(persistPath);

    public string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"{full}: input file not found", full);
        if (_entries.TryGetValue(full, out var e) && e.Size == info.Length && e.MTimeTicks == info.LastWriteTimeUtc.Ticks) return e.Digest;
        var digest = Digest.OfFile(full);
        _entries[full] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, digest);
        if (persistPath is not null) AtomicFile.WriteAllText(persistPath, JsonSerializer.Serialize(_entries));
        return digest;
    }

    private static ConcurrentDictionary<string, Entry> Load(string? path)
    {
        try
        {
            if (path is not null && File.Exists(path))
                return JsonSerializer.Deserialize<ConcurrentDictionary<string, Entry>>(File.ReadAllText(path)) ?? new();
        }
        catch (JsonException) { }
        return new();
    }
}
