using PetSeg.Compute;
using System.Diagnostics;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Graph;
using PetSeg.Pipeline.Remote;
using PetSeg.Pipeline.Stages;
using PetSeg.Pipeline.Store;

namespace PetSeg.Pipeline.Runner;

/// <summary>
/// Runs stages through the artifact store: a stage's key is computed from its parameters and its dependencies'
/// published output digests; a key already in the store is a cache hit, otherwise the stage runs into a private
/// folder and is published atomically. pipeline.lock is updated after every stage.
/// </summary>
public sealed class PipelineRunner
{
    private readonly PipelineConfig _config;
    private readonly IProgressSink _ui;
    private readonly HttpClient? _http;
    private readonly DigestCache _digests;
    private readonly ArtifactStore _store;

    public PipelineGraph Graph { get; }

    private readonly RemoteUse? _remoteUse;
    private RemoteCache? _remote;
    private bool _remoteOpened;

    /// <param name="digests">Digest memo; default: the store's, persisted in store/digests.json.</param>
    /// <param name="remote">The remote to pull stale stages from (and push computed ones to), or null to work locally.</param>
    public PipelineRunner(PipelineConfig config, IProgressSink ui, HttpClient? http = null, DigestCache? digests = null, RemoteUse? remote = null)
    {
        _config = config;
        _ui = ui;
        _http = http;
        _digests = digests ?? new DigestCache(Path.Combine(config.ArtifactsDir, "store", "digests.json"));
        _store = new ArtifactStore(Path.Combine(config.ArtifactsDir, "store"), _digests, ui);
        _remoteUse = remote;
        Graph = PipelineGraph.Build(config);
        ComputeBackend.Configure(config.Compute.Numerics, ui.Info);
    }

    /// <summary>The remote cache, opened on first use; null when none is configured or it failed (and is not required).</summary>
    private RemoteCache? Remote
    {
        get
        {
            if (_remoteOpened || _remoteUse is null) return _remote;
            _remoteOpened = true;
            try { _remote = new RemoteCache(RemoteRegistry.Open(_remoteUse.Remote), _store, _digests, _ui); }
            catch (RemoteUnavailableException e) { RemoteFailed(e); }
            return _remote;
        }
    }

    /// <summary>A remote that cannot be used costs one warning and the run goes on locally, unless it is required.</summary>
    private void RemoteFailed(RemoteUnavailableException e)
    {
        var name = _remoteUse!.Remote.Name;
        _remote?.Dispose();
        _remote = null;
        _remoteOpened = true;
        if (_remoteUse.Remote.Required)
            throw new PipelineException($"remote '{name}' is required (required: true) but cannot be used: {e.Message}. " +
                "Check its url/endpoint in pipeline.yaml, the network, and the credentials (for S3: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE); or run with --no-remote.");
        _ui.Info($"warning: remote '{name}' cannot be used ({e.Message}); working locally");
    }

    /// <summary>The stage's result from the remote, published locally; null when the remote lacks it, is down, or holds it damaged.</summary>
    private StoreEntry? TryPull(Stage stage, string key, CancellationToken ct)
    {
        if (Remote is not { } remote) return null;
        try
        {
            var entry = remote.PullAsync(key, ct).GetAwaiter().GetResult();
            if (entry is not null) _ui.Info($"{stage.Id}: pulled from {remote.Description} ({Short(key)})");
            return entry;
        }
        catch (RemoteUnavailableException e) { RemoteFailed(e); return null; }
        catch (CorruptRemoteObjectException e) { _ui.Info($"{stage.Id}: {e.Message}; computing it here instead"); return null; }
    }

    /// <summary>Whether the remote holds a result for <paramref name="key"/> (false without a usable remote).</summary>
    public bool RemoteHas(string key, CancellationToken ct = default)
    {
        if (Remote is not { } remote) return false;
        try { return remote.HasAsync(key, ct).GetAwaiter().GetResult(); }
        catch (RemoteUnavailableException e) { RemoteFailed(e); return false; }
    }

    private PushResult? TryPush(StoreEntry entry, CancellationToken ct)
    {
        if (Remote is not { } remote) return null;
        try { return remote.PushAsync(entry, ct).GetAwaiter().GetResult(); }
        catch (RemoteUnavailableException e) { RemoteFailed(e); return null; }
    }

    /// <param name="exclusive">Run only the target stage itself (its inputs must already be in the store), like Cake's --exclusive.</param>
    /// <param name="force">Rerun the target stage(s) even on a cache hit.</param>
    public IReadOnlyList<StageRun> Run(string target, bool force = false, bool exclusive = false, CancellationToken ct = default)
    {
        using var storeLock = StoreLock.AcquireShared(_store.Root, $"petseg run {target}");
        RemoveLeftovers();
        try
        {
            try { return RunLocked(target, force, exclusive, ct); }
            catch (DamagedInputException e) when (!exclusive)
            {
                // The damaged upstream entries were discarded: plan again, so they are rebuilt before their readers run.
                _ui.Info($"{e.Message}; rebuilding it, then going on");
                return RunLocked(target, force, exclusive, ct);
            }
        }
        finally
        {
            _digests.Save();
            _remote?.Dispose();
            _remote = null;
            _remoteOpened = false;
        }
    }

    /// <summary>A stage's input no longer has the digest it was published with (bit rot that kept size and mtime).</summary>
    private sealed class DamagedInputException(string message) : PetSegException(message);

    /// <summary>
    /// Re-hashes (once per process) every input the stage reads, before it reads it; an upstream entry whose bytes
    /// changed is removed from the store so it is rebuilt instead of silently feeding a training.
    /// </summary>
    private void VerifyInputs(Stage stage, IReadOnlyDictionary<string, StoreEntry> deps, bool exclusive)
    {
        foreach (var (id, e) in deps)
            foreach (var (name, f) in e.Outputs)
            {
                if (!stage.UsesInput(id, name)) continue;
                var path = e.OutputPath(name);
                if (_digests.Verified(path) == f.Digest) continue;
                _store.Discard(e, $"output '{name}' ({path}) no longer matches its digest {f.Digest}");
                var message = $"{stage.Id}: input {id}/{name} is damaged ({path} changed after it was published)";
                throw exclusive
                    ? new PipelineException(message + $"; run '{id}' again (without --exclusive) to rebuild it.")
                    : new DamagedInputException(message);
            }
    }

    private List<StageRun> RunLocked(string target, bool force, bool exclusive, CancellationToken ct)
    {
        var lockFile = PipelineLock.Read(_config.LockFile);
        var plan = exclusive ? Graph.Members(target) : Graph.Closure(target);
        var targets = Graph.Members(target).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var done = new Dictionary<string, StoreEntry>(StringComparer.Ordinal);
        var runs = new List<StageRun>();
        foreach (var stage in plan)
        {
            ct.ThrowIfCancellationRequested();
            var deps = stage.DependsOn.ToDictionary(d => d, d => done.GetValueOrDefault(d) ?? Published(d, lockFile), StringComparer.Ordinal);
            var inputs = Inputs(stage, deps);
            var key = StageKey.Compute(stage.Kind, stage.CodeVersion, stage.Parameters, inputs);
            var clock = Stopwatch.StartNew();
            var forced = force && targets.Contains(stage.Id);
            StoreEntry? entry = forced ? null : _store.TryGet(key, stage.Id);
            if (entry is not null)
            {
                _ui.Info($"{stage.Id}: up to date (cache hit {Short(key)})");
                runs.Add(new StageRun(stage.Id, key, StageOutcome.CacheHit, clock.Elapsed));
            }
            else
            {
                // One process computes a key at a time; whoever waited finds the result published.
                using var stageLock = StageLock.Acquire(_store.Root, stage.LockName(key), $"petseg run {target}: {stage.Id}",
                    holder => _ui.Info($"{stage.Id}: waiting for {holder}, which is computing it"));
                entry = forced ? null : _store.TryGet(key, stage.Id);
                if (entry is not null)
                {
                    _ui.Info($"{stage.Id}: up to date (computed meanwhile by another process, {Short(key)})");
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.CacheHit, clock.Elapsed));
                }
                else if (!forced && TryPull(stage, key, ct) is { } pulled)
                {
                    entry = pulled;
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.Pulled, clock.Elapsed));
                }
                else
                {
                    entry = Execute(stage, key, deps, inputs, exclusive, clock, ct);
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.Executed, clock.Elapsed));
                    if (_remoteUse?.Push == true && TryPush(entry, ct) is { AlreadyThere: false } pushed)
                        _ui.Info($"{stage.Id}: pushed to {Remote?.Description} ({pushed.ObjectsSent} object(s), {pushed.BytesSent / 1048576.0:F1} MiB)");
                }
            }
            done[stage.Id] = entry;
            PipelineLock.Update(_config.LockFile, LockFileLock(), l => l.Record(entry));
            stage.Present(entry, _ui);
        }
        return runs;
    }

    private StoreEntry Execute(Stage stage, string key, Dictionary<string, StoreEntry> deps, SortedDictionary<string, string> inputs,
        bool exclusive, Stopwatch clock, CancellationToken ct)
    {
        _ui.Info($"{stage.Id}: running (key {Short(key)})");
        VerifyInputs(stage, deps, exclusive);
        // Settled before the stage, whatever ran before it in this process: what its entry records is what computed it.
        var device = TorchSharp.torch.CPU;
        if (stage.Computes)
        {
            device = DeviceChoice.Resolve(stage.DeviceSetting, _ui.Info); // a device that cannot be used stops here, before any work
            DeviceChoice.Prepare(device, _config.Compute.Tf32, _config.Compute.Deterministic);
            ComputeBackend.EnsureChecked();
        }
        var work = _store.NewWorkDir();
        StoreEntry entry;
        try
        {
            var outputs = stage.Execute(new StageContext(_config, stage.Id, key, work, deps, _digests, _ui, _http, ct) { Device = device });
            var files = new SortedDictionary<string, StoredFile>(StringComparer.Ordinal);
            foreach (var (name, o) in outputs) files[name] = new StoredFile(o.Digest, SizeOf(o.Path), o.Path);
            var compute = stage.Computes ? ComputeBackend.RecordOn(device) : null;
            if (compute?.Verdict == "failed") // by construction the backend refused before this; never publish such a result
                throw new NumericsException($"{stage.Id}: computed on kernels that failed the numerics self-check ({ComputeBackend.Report?.DescribeFailures()}); not published.");
            entry = _store.Publish(new StoreEntry(stage.Id, stage.Kind, key, stage.CodeVersion, stage.Parameters, inputs, files,
                DateTimeOffset.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 3)) { Compute = compute }, work);
        }
        catch
        {
            AtomicFile.TryDelete(work);
            throw;
        }
        _ui.Info($"{stage.Id}: done in {clock.Elapsed.TotalSeconds:F1} s");
        return entry;
    }

    /// <summary>Guards the read-merge-write of pipeline.lock, so concurrent runs never lose each other's lines.</summary>
    private string LockFileLock() => Path.Combine(_store.Root, "locks", Path.GetFileName(_config.LockFile) + ".lock");

    /// <summary>
    /// What killed runs left: their work folders in store/tmp (named after their pid, so a live run's are kept) and
    /// temp files of dead processes next to outputs under artifacts/data.
    /// </summary>
    private void RemoveLeftovers()
    {
        if (_store.RemoveDeadWorkDirs() is > 0 and var dirs) _ui.Info($"store: removed {dirs} work folder(s) left by an interrupted run");
        if (AtomicFile.RemoveOrphans(_config.DataDir) is > 0 and var n) _ui.Info($"data: removed {n} temp file(s) left by an interrupted run");
    }

    /// <summary>
    /// Uploads the published results of <paramref name="targets"/> (stages or groups; default: every stage
    /// pipeline.lock names) to the remote. Results already there are skipped, so a push can be repeated or resumed.
    /// </summary>
    public IReadOnlyList<PushResult> Push(IReadOnlyList<string> targets, CancellationToken ct = default)
    {
        using var storeLock = StoreLock.AcquireShared(_store.Root, "petseg push");
        try
        {
            var remote = RequireRemote();
            var lockFile = PipelineLock.Read(_config.LockFile);
            var results = new List<PushResult>();
            foreach (var id in StagesFor(targets, lockFile))
            {
                if (!lockFile.Stages.TryGetValue(id, out var locked)) { _ui.Info($"{id}: not run yet, nothing to push"); continue; }
                if (_store.TryGet(locked.Key, id) is not { } entry) { _ui.Info($"{id}: its result is not in the local store (collected or damaged), not pushed"); continue; }
                try { results.Add(remote.PushAsync(entry, ct).GetAwaiter().GetResult()); }
                catch (RemoteUnavailableException e) { throw new PipelineException($"push to {remote.Description} failed: {e.Message}"); }
                _ui.Info($"{id}: {(results[^1].AlreadyThere ? "already on the remote" : $"pushed {results[^1].ObjectsSent} object(s), {results[^1].BytesSent / 1048576.0:F1} MiB")}");
            }
            return results;
        }
        finally
        {
            _digests.Save();
            _remote?.Dispose();
            _remote = null;
        }
    }

    /// <summary>
    /// Downloads the results pipeline.lock names for <paramref name="targets"/> (default: all) that the local store
    /// lacks, verifying every byte; returns per stage what happened ("pulled", "present", "absent", "corrupt").
    /// </summary>
    public IReadOnlyList<(string Stage, string Outcome)> Pull(IReadOnlyList<string> targets, CancellationToken ct = default)
    {
        using var storeLock = StoreLock.AcquireShared(_store.Root, "petseg pull");
        RemoveLeftovers();
        try
        {
            var remote = RequireRemote();
            var lockFile = PipelineLock.Read(_config.LockFile);
            var results = new List<(string, string)>();
            foreach (var id in StagesFor(targets, lockFile))
            {
                if (!lockFile.Stages.TryGetValue(id, out var locked)) { _ui.Info($"{id}: pipeline.lock has no result for it"); continue; }
                if (_store.TryGet(locked.Key, id) is not null) { results.Add((id, "present")); continue; }
                using var stageLock = StageLock.Acquire(_store.Root, Graph[id].LockName(locked.Key), "petseg pull " + id,
                    holder => _ui.Info($"{id}: waiting for {holder}"));
                if (_store.TryGet(locked.Key, id) is not null) { results.Add((id, "present")); continue; }
                try
                {
                    var entry = remote.PullAsync(locked.Key, ct).GetAwaiter().GetResult();
                    results.Add((id, entry is null ? "absent" : "pulled"));
                    _ui.Info(entry is null ? $"{id}: not on the remote ({Short(locked.Key)})" : $"{id}: pulled ({Short(locked.Key)})");
                }
                catch (CorruptRemoteObjectException e) { results.Add((id, "corrupt")); _ui.Info($"{id}: {e.Message}"); }
                catch (RemoteUnavailableException e) { throw new PipelineException($"pull from {remote.Description} failed: {e.Message}"); }
            }
            return results;
        }
        finally
        {
            _digests.Save();
            _remote?.Dispose();
            _remote = null;
        }
    }

    private RemoteCache RequireRemote()
    {
        if (_remoteUse is null)
            throw new PipelineException("no remote to use: declare one under 'remotes:' in pipeline.yaml and name it with 'remote:', or pass --remote NAME");
        try { return _remote ??= new RemoteCache(RemoteRegistry.Open(_remoteUse.Remote), _store, _digests, _ui); }
        catch (RemoteUnavailableException e) { throw new PipelineException($"remote '{_remoteUse.Remote.Name}' cannot be used: {e.Message}"); }
    }

    /// <summary>Stage ids for push/pull: the members of each target, or every stage pipeline.lock names, in graph order.</summary>
    private List<string> StagesFor(IReadOnlyList<string> targets, PipelineLock lockFile) =>
        targets.Count == 0
            ? Graph.Stages.Select(st => st.Id).Where(lockFile.Stages.ContainsKey).ToList()
            : targets.SelectMany(t => Graph.Members(t)).Select(st => st.Id).Distinct().ToList();

    /// <summary>The published result of <paramref name="stageId"/> under the current configuration, or null when it is stale.</summary>
    public StoreEntry? FreshEntry(string stageId)
    {
        _ = Graph[stageId]; // unknown stage → a clear error
        try
        {
            var status = StatusOf().Single(s => s.Stage == stageId);
            return status.State == Freshness.Fresh ? _store.TryGet(status.Key!, stageId) : null;
        }
        finally { _digests.Save(); }
    }

    /// <summary>Every stage, fresh or stale with the reasons, without running anything (like <c>dvc status</c>).</summary>
    public IReadOnlyList<StageStatus> Status()
    {
        try { return StatusOf(); }
        finally { _digests.Save(); }
    }

    private List<StageStatus> StatusOf()
    {
        var lockFile = PipelineLock.Read(_config.LockFile);
        var fresh = new Dictionary<string, StoreEntry>(StringComparer.Ordinal);
        var result = new List<StageStatus>();
        foreach (var stage in Graph.Stages)
        {
            var staleDeps = stage.DependsOn.Where(d => !fresh.ContainsKey(d)).ToList();
            if (staleDeps.Count > 0)
            {
                result.Add(new StageStatus(stage.Id, Freshness.Stale, null, staleDeps.Select(d => $"upstream stage '{d}' is stale").ToList()));
                continue;
            }
            var deps = stage.DependsOn.ToDictionary(d => d, d => fresh[d], StringComparer.Ordinal);
            var inputs = Inputs(stage, deps);
            var key = StageKey.Compute(stage.Kind, stage.CodeVersion, stage.Parameters, inputs);
            if (_store.TryGet(key, stage.Id) is { } entry)
            {
                fresh[stage.Id] = entry;
                result.Add(new StageStatus(stage.Id, Freshness.Fresh, key, []));
                continue;
            }
            result.Add(new StageStatus(stage.Id, Freshness.Stale, key, Explain(stage, inputs, lockFile)));
        }
        return result;
    }

    /// <summary>
    /// Removes store entries that no lock file next to pipeline.yaml (every profile's) references and that the current
    /// configuration does not call fresh. Refuses, deleting nothing, when a lock file cannot be read.
    /// </summary>
    public (int Entries, long Bytes) CollectGarbage(bool dryRun = false)
    {
        using var storeLock = StoreLock.Acquire(_store.Root, "petseg gc");
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var dir = Path.GetDirectoryName(Path.GetFullPath(_config.LockFile))!;
        foreach (var file in Directory.EnumerateFiles(dir, "pipeline*.lock"))
            keep.UnionWith(PipelineLock.Read(file).Stages.Values.Select(s => s.Key)); // a damaged file throws: nothing is deleted
        keep.UnionWith(Status().Where(s => s.State == Freshness.Fresh).Select(s => s.Key!));
        return _store.CollectGarbage(keep, dryRun);
    }

    /// <summary>
    /// Re-hashes every output of every stage, ignoring the size+mtime memo (bit rot keeps both): a damaged entry is
    /// reported and removed, so the next run rebuilds it. Returns the stages found damaged.
    /// </summary>
    public IReadOnlyList<string> Verify()
    {
        using var storeLock = StoreLock.Acquire(_store.Root, "petseg verify");
        var before = Status().Where(s => s.State == Freshness.Fresh).Select(s => s.Stage).ToList();
        var rehashing = new PipelineRunner(_config, _ui, _http, new DigestCache());
        var fresh = rehashing.Status().Where(s => s.State == Freshness.Fresh).Select(s => s.Stage).ToHashSet(StringComparer.Ordinal);
        return before.Where(s => !fresh.Contains(s)).ToList();
    }

    private static List<string> Explain(Stage stage, SortedDictionary<string, string> inputs, PipelineLock lockFile)
    {
        if (!lockFile.Stages.TryGetValue(stage.Id, out var last)) return ["never run"];
        var reasons = new List<string>();
        if (last.Code != stage.CodeVersion) reasons.Add($"code version {last.Code} → {stage.CodeVersion}");
        var now = stage.Parameters;
        foreach (var k in now.Keys.Union(last.Params.Keys).Order(StringComparer.Ordinal))
        {
            var before = last.Params.GetValueOrDefault(k);
            var after = now.GetValueOrDefault(k);
            if (before != after) reasons.Add($"parameter {k}: {before ?? "(none)"} → {after ?? "(none)"}");
        }
        foreach (var k in inputs.Keys.Union(last.Inputs.Keys).Order(StringComparer.Ordinal))
            if (inputs.GetValueOrDefault(k) != last.Inputs.GetValueOrDefault(k)) reasons.Add($"input {k} changed");
        if (reasons.Count == 0) reasons.Add("its output is missing from the store (deleted, damaged or collected)");
        return reasons;
    }

    private StoreEntry Published(string stageId, PipelineLock lockFile)
    {
        var stage = Graph[stageId];
        if (lockFile.Stages.TryGetValue(stageId, out var locked) && _store.TryGet(locked.Key, stage.Id) is { } e) return e;
        throw new PipelineException($"stage '{stageId}' has no published result yet; run it first (without --exclusive).");
    }

    private static SortedDictionary<string, string> Inputs(Stage stage, IReadOnlyDictionary<string, StoreEntry> deps)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, e) in deps)
            foreach (var (name, f) in e.Outputs)
                if (stage.UsesInput(id, name)) inputs[stage.InputName(id, name)] = f.Digest;
        return inputs;
    }

    private static long SizeOf(string path) =>
        Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
        : File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Short(string key) => key.Length > 23 ? key[..23] + "…" : key;
}
