using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>What every command of a runner shares: the workspace, the graph, the store with its digest memo, the remote.</summary>
internal sealed class Workbench(Workspace workspace, StageGraph graph, IProgressSink ui, HttpClient? http, DigestCache digests, RemoteUse? remote)
{
    public Workspace Workspace { get; } = workspace;
    public StageGraph Graph { get; } = graph;
    public IProgressSink Ui { get; } = ui;
    public HttpClient? Http { get; } = http;
    public DigestCache Digests { get; } = digests;
    public RemoteUse? RemoteUse { get; } = remote;
    public ArtifactStore Store { get; } = new(workspace.StoreDir, digests, ui);

    public RemoteSession OpenRemote() => new(RemoteUse, Store, Digests, Ui, Workspace.ConfigFile);

    /// <summary>The lock file; a damaged one (cut short by a crash, edited) is rebuilt from the store, which holds every fact in it.</summary>
    public PipelineLock ReadLock() =>
        PipelineLock.TryRead(Workspace.LockFile, out var lockFile, out var problem) ? lockFile : RebuildLock(problem);

    /// <summary>
    /// Records every stage the store holds fresh for the current stages, keeps the damaged file beside the new one for
    /// inspection, and says so once. What is lost is only the history of stale stages (why they are stale).
    /// </summary>
    private PipelineLock RebuildLock(string problem)
    {
        var path = Workspace.LockFile;
        using var held = FileLock.Acquire(LockFileGuard, "rebuilding " + Path.GetFileName(path), shared: false, wait: null, waiting: null, refusal: h => new StoreLockedException(h));
        if (PipelineLock.TryRead(path, out var meanwhile, out _)) return meanwhile; // another process rebuilt it
        var kept = path + ".damaged";
        File.Copy(path, kept, overwrite: true);
        var rebuilt = new PipelineLock();
        foreach (var status in Plan.Of(Graph, Store, rebuilt).Where(s => s.State == Freshness.Fresh))
            if (Store.TryGet(status.Key!, status.Stage) is { } entry) rebuilt.Record(status.Stage, entry, Graph[status.Stage].Summary(entry), Graph[status.Stage].Resolved(entry));
        rebuilt.Write(path);
        Ui.Info($"warning: {Path.GetFileName(path)} was damaged ({problem.Split(". ")[0]}); rebuilt it from the store " +
                $"({rebuilt.Stages.Count} of {Graph.Stages.Count} stage(s) fresh); the damaged file is kept as {Path.GetFileName(kept)}");
        return rebuilt;
    }

    /// <summary>Writes a stage's record into the lock file, merged under its guard so concurrent runs keep each other's lines.</summary>
    public void Record(Stage stage, StoreEntry entry) =>
        PipelineLock.Update(Workspace.LockFile, LockFileGuard, l => l.Record(stage.Id, entry, stage.Summary(entry), stage.Resolved(entry)));

    private string LockFileGuard => Path.Combine(Store.Root, "locks", Path.GetFileName(Workspace.LockFile) + ".lock");

    /// <summary>The published result of a stage the lock names, for a run that does not compute its dependencies (--exclusive).</summary>
    public StoreEntry Published(string stageId, PipelineLock lockFile) => TryPublished(stageId, lockFile)
        ?? throw new PipelineException($"stage '{stageId}' has no published result yet; run it first (without --exclusive).");

    /// <summary>The stage's result the lock file names, if the store still holds it intact; null otherwise.</summary>
    public StoreEntry? TryPublished(string stageId, PipelineLock lockFile) =>
        lockFile.Stages.TryGetValue(stageId, out var locked) ? Store.TryGet(locked.Key, Graph[stageId].Id) : null;

    /// <summary>
    /// What killed runs left: their work folders in store/tmp (named after their pid, so a live run's are kept) and
    /// temp files of dead processes next to in-place outputs and next to the lock file.
    /// </summary>
    public void RemoveLeftovers()
    {
        foreach (var dead in Store.RemoveDeadWorkDirs()) Ui.Info($"store: removed {dead.Describe()}");
        if (AtomicFile.RemoveOrphansOf(Workspace.LockFile) is > 0 and var locks)
            Ui.Info($"{Path.GetFileName(Workspace.LockFile)}: removed {locks} temp file(s) left by an interrupted run");
        foreach (var dir in Workspace.InPlaceDirs)
            if (AtomicFile.RemoveOrphans(dir) is > 0 and var n) Ui.Info($"{Path.GetFileName(dir)}: removed {n} temp file(s) left by an interrupted run");
    }
}
