using System.Security.Cryptography;
using System.Text.Json;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// The run-cache protocol over any <see cref="IRemoteStorage"/>, as DVC's run-cache and Bazel's remote cache do it:
/// outputs go up as content-addressed objects (<c>cas/&lt;sha256&gt;</c>, skipped when already there), then the stage
/// record, last, so a half-pushed result is never visible; a pull fetches the record, then every object into a private
/// folder, checks every byte against its SHA-256 (and the store's own digest) before anything uses it, and publishes
/// it to the local store as if it had run here. Transfers run a few at a time, resume, and share one progress bar.
/// </summary>
public sealed class RemoteCache(IRemoteStorage storage, ArtifactStore store, DigestCache digests, IProgressSink ui, int parallel = 4) : IDisposable
{
    private static readonly JsonSerializerOptions Json = JsonFiles.Options();

    public string Description => storage.Description;

    public async Task<PushResult> PushAsync(StoreEntry entry, CancellationToken ct)
    {
        var recordKey = StageRecord.KeyOf(entry.Key);
        if (await storage.ExistsAsync(recordKey, ct).ConfigureAwait(false)) return new PushResult(entry.Stage, true, 0, 0);

        var objects = new SortedDictionary<string, IReadOnlyList<RemoteObject>>(StringComparer.Ordinal);
        var files = new Dictionary<string, (string Path, long Size)>(StringComparer.Ordinal);
        foreach (var name in entry.Outputs.Keys)
        {
            var path = entry.OutputPath(name);
            var list = new List<RemoteObject>();
            if (Directory.Exists(path))
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    list.Add(Describe(f, Path.GetRelativePath(path, f).Replace(Path.DirectorySeparatorChar, '/'), files));
            else list.Add(Describe(path, "", files));
            objects[name] = list;
        }

        long total = files.Values.Sum(f => f.Size), sent = 0;
        int uploaded = 0;
        using (var bar = ui.Bar($"push {entry.Stage}", total, ProgressUnit.Bytes))
        {
            long done = 0;
            void Progress(long n) { var now = Interlocked.Add(ref done, n); bar.Update(now); }
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (f, token) =>
            {
                var key = StageRecord.ObjectKey(f.Key);
                if (await storage.ExistsAsync(key, token).ConfigureAwait(false)) { Progress(f.Value.Size); return; } // idempotent
                await storage.PutAsync(key, f.Value.Path, Progress, token).ConfigureAwait(false);
                Interlocked.Add(ref sent, f.Value.Size);
                Interlocked.Increment(ref uploaded);
            }).ConfigureAwait(false);
        }
        var record = new StageRecord(StageRecord.CurrentFormat, entry, objects);
        var tmp = Path.Combine(PartialDir, $"record-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            AtomicFile.WriteAllText(tmp, JsonSerializer.Serialize(record, Json));
            await storage.PutAsync(recordKey, tmp, _ => { }, ct).ConfigureAwait(false); // last: now the result is visible
        }
        finally { AtomicFile.TryDelete(tmp); }
        return new PushResult(entry.Stage, false, uploaded, sent);
    }

    private static RemoteObject Describe(string file, string relative, Dictionary<string, (string Path, long Size)> files)
    {
        string sha;
        using (var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20)) sha = Convert.ToHexStringLower(SHA256.HashData(s));
        var size = new FileInfo(file).Length;
        files.TryAdd(sha, (file, size));
        return new RemoteObject(relative, sha, size);
    }

    /// <summary>Whether the remote holds a complete result for <paramref name="key"/>.</summary>
    public Task<bool> HasAsync(string key, CancellationToken ct) => storage.ExistsAsync(StageRecord.KeyOf(key), ct);

    /// <summary>
    /// Fetches the result of <paramref name="key"/> and publishes it to the local store; null when the remote does not
    /// have it. A corrupted or missing object throws <see cref="CorruptRemoteObjectException"/> and leaves nothing behind.
    /// </summary>
    public async Task<StoreEntry?> PullAsync(string key, CancellationToken ct)
    {
        Directory.CreateDirectory(PartialDir);
        var recordFile = Path.Combine(PartialDir, $"record-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        StageRecord record;
        try
        {
            if (!await storage.GetAsync(StageRecord.KeyOf(key), recordFile, _ => { }, ct).ConfigureAwait(false)) return null;
            try { record = JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(recordFile), Json) ?? throw new JsonException("empty"); }
            catch (JsonException e) { throw new CorruptRemoteObjectException($"{Description}: {StageRecord.KeyOf(key)} is not a stage record ({e.Message})"); }
        }
        finally { AtomicFile.TryDelete(recordFile); }
        if (record.Format != StageRecord.CurrentFormat || record.Entry.Key != key || record.Objects.Keys.Except(record.Entry.Outputs.Keys).Any()
            || record.Entry.Outputs.Keys.Except(record.Objects.Keys).Any())
            throw new CorruptRemoteObjectException($"{Description}: {StageRecord.KeyOf(key)} does not describe {key} ({record.Format})");

        var work = store.NewWorkDir(record.Entry.Stage);
        var placed = new List<string>();
        try
        {
            long total = record.Objects.Values.SelectMany(o => o).Sum(o => o.Size);
            var files = new SortedDictionary<string, StoredFile>(StringComparer.Ordinal);
            using (var bar = ui.Bar($"pull {record.Entry.Stage}", total, ProgressUnit.Bytes))
            {
                long done = 0;
                void Progress(long n) { var now = Interlocked.Add(ref done, n); bar.Update(now); }
                foreach (var (name, stored) in record.Entry.Outputs)
                {
                    var objects = record.Objects[name];
                    var external = stored.IsExternal;
                    var target = external ? (record.Entry with { ArtifactsDir = store.ArtifactsDir, Folder = work }).OutputPath(name) : Path.Combine(work, stored.Location);
                    var isTree = objects.Count != 1 || objects[0].Path.Length > 0;
                    // External outputs are assembled beside their place, then swapped in: readers see old or new, whole.
                    var staging = external ? $"{target}.pull-{Environment.ProcessId}" : target;
                    AtomicFile.TryDelete(staging);
                    if (isTree)
                    {
                        Directory.CreateDirectory(staging);
                        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
                            async (o, token) => await FetchAsync(o, Path.Combine(staging, o.Path), record.Entry.Stage, name, Progress, token).ConfigureAwait(false)).ConfigureAwait(false);
                    }
                    else await FetchAsync(objects[0], staging, record.Entry.Stage, name, Progress, ct).ConfigureAwait(false);

                    if (external)
                    {
                        placed.Add(staging);
                        AtomicFile.TryDelete(target);
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        if (isTree) Directory.Move(staging, target); else File.Move(staging, target);
                    }
                    if (digests.Of(target) != stored.Digest)
                        throw new CorruptRemoteObjectException($"{Description}: output '{name}' of {record.Entry.Stage} does not match its recorded digest after download");
                    files[name] = stored with { Location = target };
                }
            }
            return store.Publish(record.Entry with { Outputs = files }, work);
        }
        catch
        {
            AtomicFile.TryDelete(work);
            foreach (var p in placed) AtomicFile.TryDelete(p);
            throw;
        }
    }

    /// <summary>One object into <paramref name="destination"/>, every byte checked against its SHA-256 first.</summary>
    private async Task FetchAsync(RemoteObject o, string destination, string stage, string output, Action<long> progress, CancellationToken ct)
    {
        var key = StageRecord.ObjectKey(o.Sha256);
        var partial = Path.Combine(PartialDir, o.Sha256);
        for (int attempt = 0; ; attempt++)
        {
            long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            var resumed = have > 0;
            DiskSpace.Ensure(PartialDir, o.Size - have, $"pulling output '{output}' of {stage} ({DiskSpace.Size(o.Size)})");
            try
            {
                if (!await storage.GetAsync(key, partial, progress, ct).ConfigureAwait(false))
                    throw new CorruptRemoteObjectException($"{Description}: {key} (output '{output}' of {stage}) is missing");
            }
            catch (IOException e) when (DiskSpace.IsFull(e) && e is not NotEnoughDiskSpaceException)
            {
                long kept = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                throw new IOException($"pulling output '{output}' of {stage} from {Description}: {e.Message}" +
                    (kept > 0 ? $"; the {kept:N0} bytes received are kept in {partial} and the next pull resumes from there" : ""), e);
            }
            string sha;
            using (var s = File.OpenRead(partial)) sha = Convert.ToHexStringLower(SHA256.HashData(s));
            if (sha == o.Sha256) break;
            AtomicFile.TryDelete(partial);
            if (resumed && attempt == 0) continue; // the bytes we resumed from were not this object's: fetch it whole
            throw new CorruptRemoteObjectException($"{Description}: {key} (output '{output}' of {stage}) is corrupted: its SHA-256 is {sha}; not used");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>Downloads in progress, by object digest, so an interrupted pull resumes where it stopped.</summary>
    private string PartialDir => Path.Combine(store.Root, "partial");

    public void Dispose() => storage.Dispose();
}
