using System.Text.Json;
using PetSeg.Core;
using PetSeg.IO;

namespace PetSeg.Workflow.Store;

/// <summary>
/// Content-addressed results under <c>artifacts/store/objects/&lt;k0k1&gt;/&lt;key&gt;/</c>: each entry is built in
/// <c>tmp/</c>, hashed, described by <c>entry.json</c> and published by one rename. Reads verify every output's
/// digest (memoised by size and mtime); a damaged entry is reported and removed, so the runner rebuilds it.
/// </summary>
public sealed class ArtifactStore(string root, DigestCache digests, IProgressSink ui)
{
    /// <summary>The digests of inputs from outside the store (<see cref="Stages.Stage.ExternalInputs"/>) and of outputs, memoised.</summary>
    public DigestCache Digests => digests;

    private static readonly JsonSerializerOptions Json = JsonFiles.Options(indented: true);

    /// <summary>The record of an entry, and the digest of its bytes written with it: a record damaged into other valid JSON is caught.</summary>
    public const string RecordFile = "entry.json", RecordDigestFile = "entry.json.xxh128";

    public string Root => root;

    /// <summary>The artifacts folder the store lives in: external (in-place) outputs are recorded relative to it.</summary>
    public string ArtifactsDir => Path.GetDirectoryName(Path.GetFullPath(root))!;
    public string ObjectsDir => Path.Combine(root, "objects");

    public string EntryDir(string key)
    {
        var hex = key[(key.IndexOf(':') + 1)..];
        return Path.Combine(ObjectsDir, hex[..2], hex);
    }

    /// <summary>A fresh private folder for a stage to write its outputs into, named after this process (and the stage, so a dead run's is named).</summary>
    /// <param name="stage">The stage computed or pulled into it, or null.</param>
    public string NewWorkDir(string? stage = null)
    {
        var dir = Path.Combine(root, "tmp", $"{Environment.ProcessId}-{Guid.NewGuid():N}{(stage is null ? "" : "-" + AsFileName(stage))}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A stage id as a file name: letters, digits, '.', '_' and '-' kept, at most 100 of them.</summary>
    private static string AsFileName(string stage) => new([.. stage.Take(100).Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')]);

    /// <summary>
    /// The work folder process <paramref name="pid"/> computes <paramref name="stage"/> in now (the newest, should it
    /// have made several), or null: for <c>status</c>, to say how far it has got.
    /// </summary>
    public string? WorkDirOf(int pid, string stage)
    {
        var tmp = Path.Combine(root, "tmp");
        if (!Directory.Exists(tmp)) return null;
        try
        {
            return new DirectoryInfo(tmp).EnumerateDirectories($"{pid}-*-{AsFileName(stage)}")
                .Where(d => DeadWorkDir.Parse(d.Name) is { Pid: { } p, Stage: { } s } && p == pid && s == AsFileName(stage))
                .OrderByDescending(d => d.CreationTimeUtc).FirstOrDefault()?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } // removed as it was listed
    }

    /// <summary>
    /// Deletes the work folders whose process is gone (other live runs may share the store), and says what each was: the
    /// stage it was for (null in a folder that does not say), the pid that made it and when it was last written to.
    /// </summary>
    public IReadOnlyList<DeadWorkDir> RemoveDeadWorkDirs()
    {
        var tmp = Path.Combine(root, "tmp");
        if (!Directory.Exists(tmp)) return [];
        var removed = new List<DeadWorkDir>();
        foreach (var dir in Directory.EnumerateDirectories(tmp))
        {
            var dead = DeadWorkDir.Parse(Path.GetFileName(dir));
            if (dead.Pid is { } pid && AtomicFile.ProcessIsAlive(pid)) continue;
            removed.Add(dead with { LastWritten = LastWritten(dir) });
            AtomicFile.TryDelete(dir);
        }
        return removed;
    }

    /// <summary>The latest write time of the folder or anything in it.</summary>
    private static DateTime LastWritten(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
                .Select(i => i.LastWriteTimeUtc).Append(Directory.GetLastWriteTimeUtc(dir)).Max();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Directory.GetLastWriteTimeUtc(dir); }
    }

    /// <summary>The entry for <paramref name="key"/> if present and intact; a damaged one is reported and removed.</summary>
    public StoreEntry? TryGet(string key, string stageId)
    {
        var dir = EntryDir(key);
        var file = Path.Combine(dir, RecordFile);
        if (!File.Exists(file)) return null;
        var bytes = File.ReadAllBytes(file);
        var digestFile = Path.Combine(dir, RecordDigestFile);
        // Entries published before records carried a digest have none: they are read as before.
        var recorded = File.Exists(digestFile) ? File.ReadAllText(digestFile).Trim() : null;
        StoreEntry? entry = null;
        string? problem = recorded is not null && recorded != Digest.OfBytes(bytes) ? $"{RecordFile} does not match the digest it was written with" : null;
        if (problem is null)
        {
            try { entry = JsonSerializer.Deserialize<StoreEntry>(bytes, Json); }
            catch (JsonException) { entry = null; }
            problem = entry is null ? $"{RecordFile} is unreadable" : entry.Key != key ? $"{RecordFile} names another key" : null;
        }
        if (problem is null)
        {
            entry = entry! with { Folder = dir, ArtifactsDir = ArtifactsDir };
            foreach (var (name, f) in entry.Outputs)
            {
                var path = entry.OutputPath(name);
                if (!File.Exists(path) && !Directory.Exists(path)) { problem = $"output '{name}' is missing ({path})"; break; }
                if (digests.Of(path) != f.Digest) { problem = $"output '{name}' does not match its digest {f.Digest}"; break; }
            }
        }
        if (problem is null) return entry;
        Discard(key, stageId, problem);
        return null;
    }

    /// <summary>Removes a damaged entry (reported once), so the runner rebuilds it.</summary>
    public void Discard(StoreEntry entry, string problem) => Discard(entry.Key, entry.Stage, problem);

    private void Discard(string key, string stageId, string problem)
    {
        ui.Info($"store: entry {key} of {stageId} is damaged ({problem}); it will be rebuilt");
        AtomicFile.TryDelete(EntryDir(key));
    }

    public StoreEntry Publish(StoreEntry entry, string workDir)
    {
        var files = new SortedDictionary<string, StoredFile>(StringComparer.Ordinal);
        var work = Path.GetFullPath(workDir) + Path.DirectorySeparatorChar;
        var artifacts = ArtifactsDir + Path.DirectorySeparatorChar;
        foreach (var (name, f) in entry.Outputs)
        {
            var full = Path.GetFullPath(f.Location);
            var location = full.StartsWith(work, StringComparison.Ordinal) ? Path.GetRelativePath(workDir, full).Replace(Path.DirectorySeparatorChar, '/')
                : full.StartsWith(artifacts, StringComparison.Ordinal) ? StoredFile.ArtifactsPrefix + Path.GetRelativePath(ArtifactsDir, full).Replace(Path.DirectorySeparatorChar, '/')
                : throw new InvalidOperationException($"stage {entry.Stage} wrote output '{name}' outside the artifacts folder ({full}); outputs must be portable");
            files[name] = f with { Location = location };
        }
        entry = entry with { Outputs = files };
        var record = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        AtomicFile.Write(Path.Combine(workDir, RecordFile), fs => fs.Write(record));
        AtomicFile.WriteAllText(Path.Combine(workDir, RecordDigestFile), Digest.OfBytes(record) + "\n"); // both, or neither: the folder is published by one rename
        var dir = EntryDir(entry.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        AtomicFile.Publish(workDir, dir);
        return entry with { Folder = dir, ArtifactsDir = ArtifactsDir };
    }

    /// <summary>Deletes entries whose key is not in <paramref name="keep"/> (e.g. the keys in pipeline.lock); returns the bytes freed.</summary>
    public (int Entries, long Bytes) CollectGarbage(IReadOnlySet<string> keep, bool dryRun = false)
    {
        int n = 0;
        long bytes = 0;
        if (!Directory.Exists(ObjectsDir)) return (0, 0);
        foreach (var dir in Directory.EnumerateDirectories(ObjectsDir).SelectMany(Directory.EnumerateDirectories).ToList())
        {
            var key = Digest.Prefix + Path.GetFileName(dir);
            if (keep.Contains(key)) continue;
            bytes += Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            if (!dryRun) AtomicFile.TryDelete(dir);
            n++;
        }
        if (!dryRun)
        {
            AtomicFile.TryDelete(Path.Combine(root, "tmp")); // gc holds the store exclusively: no run is writing there
            AtomicFile.TryDelete(Path.Combine(root, "locks"));
        }
        return (n, bytes);
    }
}
