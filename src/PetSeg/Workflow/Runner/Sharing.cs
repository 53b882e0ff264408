using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// <c>petseg push</c> and <c>pull</c>: the results the lock file names, to and from the remote. What is already on the
/// other side is skipped, so both can be repeated or resumed; every pulled byte is verified.
/// </summary>
internal sealed class Sharing(Workbench bench)
{
    public IReadOnlyList<PushResult> Push(IReadOnlyList<string> targets, CancellationToken ct)
    {
        using var storeLock = StoreLock.AcquireShared(bench.Store.Root, "petseg push");
        using var session = bench.OpenRemote();
        try
        {
            var remote = session.Require();
            var lockFile = bench.ReadLock();
            var results = new List<PushResult>();
            foreach (var id in StagesFor(targets, lockFile))
            {
                if (!lockFile.Stages.TryGetValue(id, out var locked)) { bench.Ui.Info($"{id}: not run yet, nothing to push"); continue; }
                if (bench.Store.TryGet(locked.Key, id) is not { } entry) { bench.Ui.Info($"{id}: its result is not in the local store (collected or damaged), not pushed"); continue; }
                try { results.Add(remote.PushAsync(entry, ct).GetAwaiter().GetResult()); }
                catch (RemoteUnavailableException e) { throw new PipelineException($"push to {remote.Description} failed: {e.Message}"); }
                bench.Ui.Info($"{id}: {(results[^1].AlreadyThere ? "already on the remote" : $"pushed {results[^1].ObjectsSent} object(s), {results[^1].BytesSent / 1048576.0:F1} MiB")}");
            }
            return results;
        }
        finally { bench.Digests.Save(); }
    }

    /// <summary>Per stage what happened: "pulled", "present", "absent" or "corrupt".</summary>
    public IReadOnlyList<(string Stage, string Outcome)> Pull(IReadOnlyList<string> targets, CancellationToken ct)
    {
        using var storeLock = StoreLock.AcquireShared(bench.Store.Root, "petseg pull");
        bench.RemoveLeftovers();
        using var session = bench.OpenRemote();
        try
        {
            var remote = session.Require();
            var lockFile = bench.ReadLock();
            var results = new List<(string, string)>();
            foreach (var id in StagesFor(targets, lockFile))
            {
                if (!lockFile.Stages.TryGetValue(id, out var locked)) { bench.Ui.Info($"{id}: pipeline.lock has no result for it"); continue; }
                if (bench.Store.TryGet(locked.Key, id) is not null) { results.Add((id, "present")); continue; }
                using var stageLock = StageLock.Acquire(bench.Store.Root, bench.Graph[id].LockName(locked.Key), "petseg pull " + id,
                    holder => bench.Ui.Info($"{id}: waiting for {holder}"));
                if (bench.Store.TryGet(locked.Key, id) is not null) { results.Add((id, "present")); continue; }
                try
                {
                    var entry = remote.PullAsync(locked.Key, ct).GetAwaiter().GetResult();
                    results.Add((id, entry is null ? "absent" : "pulled"));
                    bench.Ui.Info(entry is null ? $"{id}: not on the remote ({Keys.Short(locked.Key)})" : $"{id}: pulled ({Keys.Short(locked.Key)})");
                }
                catch (CorruptRemoteObjectException e) { results.Add((id, "corrupt")); bench.Ui.Info($"{id}: {e.Message}"); }
                catch (RemoteUnavailableException e) { throw new PipelineException($"pull from {remote.Description} failed: {e.Message}"); }
            }
            return results;
        }
        finally { bench.Digests.Save(); }
    }

    /// <summary>Stage ids for push/pull: the members of each target, or every stage the lock file names, in graph order.</summary>
    private List<string> StagesFor(IReadOnlyList<string> targets, PipelineLock lockFile) =>
        targets.Count == 0
            ? bench.Graph.Stages.Select(st => st.Id).Where(lockFile.Stages.ContainsKey).ToList()
            : targets.SelectMany(t => bench.Graph.Members(t)).Select(st => st.Id).Distinct().ToList();
}
