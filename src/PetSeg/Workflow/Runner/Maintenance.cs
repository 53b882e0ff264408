using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary><c>petseg gc</c> and <c>verify</c>: the store's housekeeping, each under the store's exclusive lock.</summary>
internal sealed class Maintenance(Workbench bench, Func<DigestCache, IReadOnlyList<StageStatus>> statusWith)
{
    /// <summary>
    /// Removes store entries that no lock file next to the workspace's (every profile's) references and that the current
    /// plan does not call fresh. Refuses, deleting nothing, when a lock file cannot be read.
    /// </summary>
    public (int Entries, long Bytes) CollectGarbage(bool dryRun)
    {
        using var storeLock = StoreLock.Acquire(bench.Store.Root, "petseg gc");
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var dir = Path.GetDirectoryName(Path.GetFullPath(bench.Workspace.LockFile))!;
        foreach (var file in Directory.EnumerateFiles(dir, "pipeline*.lock"))
            keep.UnionWith(PipelineLock.Read(file).Stages.Values.Select(s => s.Key)); // a damaged file throws: nothing is deleted
        keep.UnionWith(statusWith(bench.Digests).Where(s => s.State == Freshness.Fresh).Select(s => s.Key!));
        return bench.Store.CollectGarbage(keep, dryRun);
    }

    /// <summary>
    /// Re-hashes every output of every stage, ignoring the size+mtime memo (bit rot keeps both): a damaged entry is
    /// reported and removed, so the next run rebuilds it. Returns the stages found damaged.
    /// </summary>
    public IReadOnlyList<string> Verify()
    {
        using var storeLock = StoreLock.Acquire(bench.Store.Root, "petseg verify");
        var before = statusWith(bench.Digests).Where(s => s.State == Freshness.Fresh).Select(s => s.Stage).ToList();
        var fresh = statusWith(new DigestCache()).Where(s => s.State == Freshness.Fresh).Select(s => s.Stage).ToHashSet(StringComparer.Ordinal);
        return before.Where(s => !fresh.Contains(s)).ToList();
    }
}
