using System.Runtime.CompilerServices;
using PetSeg.IO;

namespace PetSeg.Workflow.Remote;

/// <summary>A remote in a folder (<c>file:///mnt/petseg</c>): a NAS, a shared drive, a cluster's shared filesystem.</summary>
public sealed class FolderRemote(string root) : IRemoteStorage
{
    public string Description => "file://" + root;

    private string PathOf(string key) => Path.Combine(root, key.Replace('/', Path.DirectorySeparatorChar));

    private void EnsureRoot()
    {
        if (!Directory.Exists(root)) throw new RemoteUnavailableException($"remote folder {root} does not exist (not mounted?)");
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        EnsureRoot();
        return Task.FromResult(File.Exists(PathOf(key)));
    }

    public async Task PutAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        EnsureRoot();
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Temp file + rename in the target folder: another reader sees the whole object or none.
        var tmp = AtomicFile.TempPathFor(target);
        try
        {
            await using (var src = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true))
            await using (var dst = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
                await StreamCopy.WithProgress(src, dst, progress, ct).ConfigureAwait(false);
            File.Move(tmp, target, overwrite: true);
        }
        finally { AtomicFile.TryDelete(tmp); }
    }

    public async Task<bool> GetAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        EnsureRoot();
        var source = PathOf(key);
        if (!File.Exists(source)) return false;
        await using var src = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        var have = File.Exists(localFile) ? new FileInfo(localFile).Length : 0;
        if (have > src.Length) have = 0;
        src.Seek(have, SeekOrigin.Begin);
        await using var dst = new FileStream(localFile, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        if (have > 0) progress(have);
        await StreamCopy.WithProgress(src, dst, progress, ct).ConfigureAwait(false);
        return true;
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        EnsureRoot();
        var dir = PathOf(prefix);
        if (!Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            if (Path.GetFileName(f).StartsWith('.')) continue; // temp files of puts in progress
            yield return Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/');
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public void Dispose() { }
}
