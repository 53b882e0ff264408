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

    public PipelineLock ReadLock() => PipelineLock.Read(Workspace.LockFile);

    /// <summary>Writes a stage's record into the lock file, merged under its guard so concurrent runs keep each other's lines.</summary>
    public void Record(Stage stage, StoreEntry entry) =>
        PipelineLock.Update(Workspace.LockFile, LockFileGuard, l => l.Record(entry, stage.Summary(entry)));

    private string LockFileGuard => Path.Combine(Store.Root, "locks", Path.GetFileName(Workspace.LockFile) + ".lock");

    /// <summary>The published result of a stage the lock names, for a run that does not compute its dependencies (--exclusive).</summary>
    public StoreEntry Published(string stageId, PipelineLock lockFile)
    {
        var stage = Graph[stageId];
        if (lockFile.Stages.TryGetValue(stageId, out var locked) && Store.TryGet(locked.Key, stage.Id) is { } e) return e;
        throw new PipelineException($"stage '{stageId}' has no published result yet; run it first (without --exclusive).");
    }

    /// <summary>
    /// What killed runs left: their work folders in store/tmp (named after their pid, so a live run's are kept) and
    /// temp files of dead processes next to in-place outputs.
    /// </summary>
    public void RemoveLeftovers()
    {
        if (Store.RemoveDeadWorkDirs() is > 0 and var dirs) Ui.Info($"store: removed {dirs} work folder(s) left by an interrupted run");
        foreach (var dir in Workspace.InPlaceDirs)
            if (AtomicFile.RemoveOrphans(dir) is > 0 and var n) Ui.Info($"{Path.GetFileName(dir)}: removed {n} temp file(s) left by an interrupted run");
    }
}
