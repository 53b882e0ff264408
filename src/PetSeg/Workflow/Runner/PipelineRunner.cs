using PetSeg.Core;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// The engine's front door: one workspace, one stage graph, and the commands over them — run (<see cref="Repro"/>),
/// status (<see cref="Plan"/>), push and pull (<see cref="Sharing"/>), gc and verify (<see cref="Maintenance"/>).
/// </summary>
public sealed class PipelineRunner
{
    private readonly Workbench _bench;

    public StageGraph Graph => _bench.Graph;
    public Workspace Workspace => _bench.Workspace;

    /// <param name="digests">Digest memo; default: the store's, persisted in store/digests.json.</param>
    /// <param name="remote">The remote to pull stale stages from (and push computed ones to), or null to work locally.</param>
    public PipelineRunner(Workspace workspace, StageGraph graph, IProgressSink ui, HttpClient? http = null, DigestCache? digests = null, RemoteUse? remote = null)
    {
        _bench = new Workbench(workspace, graph, ui, http, digests ?? new DigestCache(Path.Combine(workspace.StoreDir, "digests.json")), remote);
    }

    /// <param name="exclusive">Run only the target stage itself (its inputs must already be in the store), like Cake's --exclusive.</param>
    /// <param name="force">Rerun the target stage(s) even on a cache hit.</param>
    public IReadOnlyList<StageRun> Run(string target, bool force = false, bool exclusive = false, CancellationToken ct = default) =>
        new Repro(_bench).Run(target, force, exclusive, ct);

    /// <summary>
    /// Computes the stage(s) of <paramref name="target"/> again from their published inputs and compares each output
    /// with the stored result (which stays as it was): whether this machine reproduces it byte for byte.
    /// </summary>
    /// <param name="upstream">Also every stage <paramref name="target"/> needs, upstream first.</param>
    public IReadOnlyList<StageCheck> Check(string target, bool upstream = false, CancellationToken ct = default) => new Repro(_bench).Check(target, upstream, ct);

    /// <summary>Every stage, fresh or stale with the reasons, without running anything (like <c>dvc status</c>).</summary>
    public IReadOnlyList<StageStatus> Status()
    {
        try { return StatusWith(_bench.Digests); }
        finally { _bench.Digests.Save(); }
    }

    private List<StageStatus> StatusWith(DigestCache digests) =>
        Plan.Of(_bench.Graph, digests == _bench.Digests ? _bench.Store : new ArtifactStore(_bench.Workspace.StoreDir, digests, _bench.Ui), _bench.ReadLock());

    /// <summary>
    /// Runs <paramref name="stageId"/> and what it needs (cache hits, pulls or computed) and returns its published result,
    /// for tools that use a stage's output outside the pipeline (a split's cache, the encoder weights).
    /// </summary>
    public StoreEntry RunToEntry(string stageId, CancellationToken ct = default)
    {
        var run = Run(stageId, ct: ct).Single(r => r.Stage == stageId);
        return _bench.Store.TryGet(run.Key, stageId) ?? throw new PipelineException($"{stageId} has no result after it ran");
    }

    /// <summary>The published result of <paramref name="stageId"/> under the current configuration, or null when it is stale.</summary>
    public StoreEntry? FreshEntry(string stageId)
    {
        _ = Graph[stageId]; // unknown stage → a clear error
        var status = Status().Single(s => s.Stage == stageId);
        return status.State == Freshness.Fresh ? _bench.Store.TryGet(status.Key!, stageId) : null;
    }

    /// <summary>
    /// The plan after pulling, one after another, the stages of <paramref name="target"/> that are stale here but fresh
    /// on the remote (a pulled stage makes its dependents' keys known, which may be on the remote too): what a cluster
    /// submission then has left to compute.
    /// </summary>
    public IReadOnlyList<StageStatus> PullWhatTheRemoteHas(string target, CancellationToken ct = default)
    {
        using var session = _bench.OpenRemote();
        while (true)
        {
            var status = Status();
            var byId = status.ToDictionary(s => s.Stage, StringComparer.Ordinal);
            var onRemote = Graph.Closure(target).FirstOrDefault(s => byId[s.Id] is { State: Freshness.Stale, Key: { } key } && session.Has(key, ct));
            if (onRemote is null) return status;
            _bench.Ui.Info($"{onRemote.Id}: fresh on the remote; pulling it instead of submitting a job");
            Run(onRemote.Id, exclusive: true, ct: ct);
        }
    }

    /// <summary>
    /// Uploads the published results of <paramref name="targets"/> (stages or groups; default: every stage the lock file
    /// names) to the remote.
    /// </summary>
    public IReadOnlyList<PushResult> Push(IReadOnlyList<string> targets, CancellationToken ct = default) => new Sharing(_bench).Push(targets, ct);

    /// <summary>Downloads the results the lock file names for <paramref name="targets"/> (default: all) that the local store lacks.</summary>
    public IReadOnlyList<(string Stage, string Outcome)> Pull(IReadOnlyList<string> targets, CancellationToken ct = default) => new Sharing(_bench).Pull(targets, ct);

    /// <summary>Removes what killed runs left (work folders, temp files of dead processes); a live run's are kept.</summary>
    public void RemoveLeftovers() => _bench.RemoveLeftovers();

    public (int Entries, long Bytes) CollectGarbage(bool dryRun = false) => Maintenance().CollectGarbage(dryRun);

    public IReadOnlyList<string> Verify() => Maintenance().Verify();

    /// <summary>gc and verify plan with a given digest memo (verify's ignores the size+mtime memo), saved after each plan.</summary>
    private Maintenance Maintenance() => new(_bench, d => { try { return StatusWith(d); } finally { d.Save(); } });
}
