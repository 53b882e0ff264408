using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Workflow.Store;

/// <summary>
/// Content digests of files and folders, memoised per file by (full path, size, mtime) in memory and in
/// <c>store/digests.json</c>, so an unchanged multi-GB input is hashed once rather than on every run. A folder's
/// digest covers every file in it (relative path and content), so one changed JPEG changes the dataset's digest.
/// </summary>
public sealed class DigestCache(string? persistPath = null)
{
    private sealed record Entry(long Size, long MTimeTicks, string Digest);
    private readonly ConcurrentDictionary<string, Entry> _entries = Load(persistPath);
    private int _dirty;

    /// <summary>The digest of a file, or of a folder's whole tree.</summary>
    public string Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return OfTree(full);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"{full}: input file not found", full);
        if (_entries.TryGetValue(full, out var e) && e.Size == info.Length && e.MTimeTicks == info.LastWriteTimeUtc.Ticks) return e.Digest;
        var digest = Digest.OfFile(full);
        _entries[full] = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, digest);
        Interlocked.Exchange(ref _dirty, 1);
        return digest;
    }

    /// <summary>
    /// The digest computed from the bytes, ignoring the memo, once per file (and size/mtime) per command (one instance): what a stage
    /// is about to read is checked for bit rot that keeps size and mtime, without hashing 1 GB again for every stage.
    /// </summary>
    public string Verified(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return OfTree(full, Verified);
        var info = new FileInfo(full);
        if (!info.Exists) throw new FileNotFoundException($"{full}: input file not found", full);
        if (_verified.TryGetValue(full, out var v) && v.Size == info.Length && v.MTimeTicks == info.LastWriteTimeUtc.Ticks) return v.Digest;
        var entry = new Entry(info.Length, info.LastWriteTimeUtc.Ticks, Digest.OfFile(full));
        _verified[full] = entry;
        _entries[full] = entry;
        Interlocked.Exchange(ref _dirty, 1);
        return entry.Digest;
    }

    /// <summary>Files hashed from their bytes by this instance: one instance lives for one command.</summary>
    private readonly ConcurrentDictionary<string, Entry> _verified = new();

    private string OfTree(string dir) => OfTree(dir, Of);

    /// <summary>Digest of the sorted list of (relative path, file digest) lines of every file under <paramref name="dir"/>.</summary>
    private static string OfTree(string dir, Func<string, string> fileDigest)
    {
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => (Rel: Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'), Full: f))
            .OrderBy(f => f.Rel, StringComparer.Ordinal).ToList();
        var lines = new string[files.Count];
        Parallel.For(0, files.Count, i => lines[i] = $"{files[i].Rel}\t{fileDigest(files[i].Full)}\n");
        return Digest.OfBytes(Encoding.UTF8.GetBytes("petseg-tree-1\n" + string.Concat(lines)));
    }

    /// <summary>
    /// Writes the memo if anything new was hashed (once per command, not per file). Best effort: it only saves hashing
    /// later, so a store that cannot take it (read-only, full) costs that and nothing else — a reading command still
    /// works, and a failed stage's own error is not replaced by this one (Save runs in finally blocks).
    /// </summary>
    public void Save()
    {
        if (persistPath is null || Interlocked.Exchange(ref _dirty, 0) == 0) return;
        // A store deleted while this command ran (a workspace removed under a cancelled cluster job) is not brought back
        // by its memo: the tests' temp folders kept reappearing as <workspace>/out/store/digests.json.
        if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(persistPath)))) return;
        try { AtomicFile.WriteAllText(persistPath, JsonSerializer.Serialize(_entries)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
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
