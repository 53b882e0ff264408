using System.Diagnostics;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// <c>petseg run</c> (DVC's repro): every stage a target needs, dependencies first; a key already in the store is a
/// cache hit, one on the remote is pulled, otherwise the stage runs into a private folder and is published atomically.
/// The lock file is updated after every stage.
/// </summary>
internal sealed class Repro(Workbench bench)
{
    /// <summary>A stage's input no longer has the digest it was published with (bit rot that kept size and mtime).</summary>
    private sealed class DamagedInputException(string message) : PetSegException(message);

    public IReadOnlyList<StageRun> Run(string target, bool force, bool exclusive, CancellationToken ct)
    {
        using var storeLock = StoreLock.AcquireShared(bench.Store.Root, $"petseg run {target}");
        bench.RemoveLeftovers();
        using var remote = bench.OpenRemote();
        try
        {
            try { return RunLocked(target, force, exclusive, remote, ct); }
            catch (DamagedInputException e) when (!exclusive)
            {
                // The damaged upstream entries were discarded: plan again, so they are rebuilt before their readers run.
                bench.Ui.Info($"{e.Message}; rebuilding it, then going on");
                return RunLocked(target, force, exclusive, remote, ct);
            }
        }
        finally { bench.Digests.Save(); }
    }

    private List<StageRun> RunLocked(string target, bool force, bool exclusive, RemoteSession remote, CancellationToken ct)
    {
        var lockFile = bench.ReadLock();
        var graph = bench.Graph;
        var stages = exclusive ? graph.Members(target) : graph.Closure(target);
        var targets = graph.Members(target).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var done = new Dictionary<string, StoreEntry>(StringComparer.Ordinal);
        var runs = new List<StageRun>();
        foreach (var (stage, position) in stages.Select((s, i) => (s, Of(i, stages.Count))))
        {
            ct.ThrowIfCancellationRequested();
            var deps = stage.DependsOn.ToDictionary(d => d, d => done.GetValueOrDefault(d) ?? bench.Published(d, lockFile), StringComparer.Ordinal);
            var inputs = Plan.Inputs(stage, deps, bench.Store.Digests);
            var key = Plan.KeyOf(stage, inputs);
            var clock = Stopwatch.StartNew();
            var forced = force && targets.Contains(stage.Id);
            StoreEntry? entry = forced ? null : bench.Store.TryGet(key, stage.Id);
            if (entry is not null)
            {
                bench.Ui.Info($"{stage.Id}: up to date (cache hit {Keys.Short(key)})");
                runs.Add(new StageRun(stage.Id, key, StageOutcome.CacheHit, clock.Elapsed));
            }
            else
            {
                // One process computes a key at a time; whoever waited finds the result published.
                using var stageLock = StageLock.Acquire(bench.Store.Root, stage.LockName(key), $"petseg run {target}: {stage.Id}",
                    holder => bench.Ui.Info($"{stage.Id}: waiting for {holder}, which is computing it"));
                entry = forced ? null : bench.Store.TryGet(key, stage.Id);
                if (entry is not null)
                {
                    bench.Ui.Info($"{stage.Id}: up to date (computed meanwhile by another process, {Keys.Short(key)})");
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.CacheHit, clock.Elapsed));
                }
                else if (!forced && remote.TryPull(stage, key, ct) is { } pulled)
                {
                    entry = pulled;
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.Pulled, clock.Elapsed));
                }
                else
                {
                    entry = Execute(stage, key, deps, inputs, exclusive, clock, position, ct);
                    runs.Add(new StageRun(stage.Id, key, StageOutcome.Executed, clock.Elapsed));
                    if (remote.PushesResults && remote.TryPush(entry, ct) is { AlreadyThere: false } pushed)
                        bench.Ui.Info($"{stage.Id}: pushed to {remote.Cache?.Description} ({pushed.ObjectsSent} object(s), {pushed.BytesSent / 1048576.0:F1} MiB)");
                }
            }
            done[stage.Id] = entry;
            bench.Record(stage, entry);
            stage.Present(entry, bench.Ui);
        }
        return runs;
    }

    /// <summary>
    /// <c>run --check</c>: computes each stage of <paramref name="target"/> (<paramref name="upstream"/>: and each it needs,
    /// dependencies first) again from its published inputs, compares every
    /// output with the result stored under the same key and discards what it computed. Nothing is published, recorded or pushed.
    /// </summary>
    public IReadOnlyList<StageCheck> Check(string target, bool upstream, CancellationToken ct)
    {
        using var storeLock = StoreLock.AcquireShared(bench.Store.Root, $"petseg run {target} --check");
        bench.RemoveLeftovers();
        try
        {
            var lockFile = bench.ReadLock();
            var checks = new List<StageCheck>();
            var members = upstream ? bench.Graph.Closure(target) : bench.Graph.Members(target);
            // Of several stages, one with nothing stored to check against is said and passed over (a workspace that pulled
            // part of the results checks that part); a single stage is an error that says what to run first.
            void PassOver(Stage stage, string why, string todo)
            {
                if (members.Count < 2) throw new PipelineException($"{stage.Id}: {why}; {todo}");
                bench.Ui.Info($"{stage.Id}: not checked: {why}");
                checks.Add(StageCheck.NotCheckable(stage.Id, why));
            }
            foreach (var (stage, position) in members.Select((s, i) => (s, Of(i, members.Count))))
            {
                ct.ThrowIfCancellationRequested();
                var deps = new Dictionary<string, StoreEntry>(StringComparer.Ordinal);
                foreach (var d in stage.DependsOn) if (bench.TryPublished(d, lockFile) is { } published) deps[d] = published;
                if (stage.DependsOn.FirstOrDefault(d => !deps.ContainsKey(d)) is { } unpublished)
                {
                    PassOver(stage, $"its input '{unpublished}' has no published result, so nothing is stored to check against", $"run it first (`petseg run {stage.Id}`)");
                    continue;
                }
                var inputs = Plan.Inputs(stage, deps, bench.Store.Digests);
                var key = Plan.KeyOf(stage, inputs);
                using var stageLock = StageLock.Acquire(bench.Store.Root, stage.LockName(key), $"petseg run {target} --check: {stage.Id}",
                    holder => bench.Ui.Info($"{stage.Id}: waiting for {holder}, which is computing it"));
                var clock = Stopwatch.StartNew(); // the computing and comparing, not the wait for the lock
                var stored = bench.Store.TryGet(key, stage.Id);
                if (stored is null)
                {
                    PassOver(stage, $"no result is stored under its key ({Keys.Short(key)}) to check against", $"run it first (`petseg run {stage.Id}`), or pull it");
                    continue;
                }
                var (work, outputs, device, parted) = Compute(stage, key, deps, inputs, exclusive: true, ct, $"checking: computing it again{(position.Length == 0 ? "" : $" ({position})")}", stored);
                try
                {
                    var record = stage.Computes ? ComputeBackend.RecordOn(device) : null;
                    // Stopped where it parted: that one output tells it, nothing else was computed to compare.
                    IReadOnlyList<OutputCheck> found = parted is not null ? [new OutputCheck(parted.Output, false, parted.Detail)] : CompareOutputs(stage, stored, outputs);
                    var check = new StageCheck(stage.Id, key, found, clock.Elapsed, stored.Compute, record) { StoppedWhereParted = parted is not null };
                    Tell(check);
                    checks.Add(check);
                }
                finally { AtomicFile.TryDelete(work); }
            }
            return checks;
        }
        finally { bench.Digests.Save(); }
    }

    /// <summary>Every output of the stored result and of the recomputed one, compared by digest (a record of the run is named, not compared).</summary>
    private static List<OutputCheck> CompareOutputs(Stage stage, StoreEntry stored, IReadOnlyDictionary<string, StageOutput> outputs)
    {
        var found = new List<OutputCheck>();
        foreach (var name in stored.Outputs.Keys.Union(outputs.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (stage.RecordsTheRun(name)) found.Add(new OutputCheck(name, Same: null, null));
            else if (!stored.Outputs.TryGetValue(name, out var was) || !outputs.TryGetValue(name, out var now))
                found.Add(new OutputCheck(name, false, outputs.ContainsKey(name) ? "not in the stored result" : "not computed again"));
            else if (was.Digest == now.Digest) found.Add(new OutputCheck(name, true, null));
            else found.Add(new OutputCheck(name, false, DifferenceOf(stage, name, stored.OutputPath(name), now.Path)));
        }
        return found;
    }

    /// <summary>Where an output differs: the stage's reading, else the bytes' or files'; null where neither can say (or reading failed: the verdict stands).</summary>
    private static string? DifferenceOf(Stage stage, string name, string stored, string recomputed)
    {
        try { return stage.Difference(name, stored, recomputed) ?? FileDifference.Describe(stored, recomputed); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException) { return null; }
    }

    /// <summary>"stage 7 of 31": where a stage is in a run of several (the whole DAG can take hours); empty for a run of one.</summary>
    private static string Of(int index, int count) => count < 2 ? "" : $"stage {index + 1} of {count}";

    private void Tell(StageCheck check)
    {
        var compared = check.Outputs.Where(o => o.Compared).ToList();
        var skipped = check.Outputs.Where(o => !o.Compared).Select(o => o.Name).ToList();
        var notCompared = (skipped.Count == 0 ? "" : $"; not compared: {string.Join(", ", skipped)} (a record of the run)") +
                          $"; computed and compared in {check.Duration.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} s";
        // Where the stored result was computed, against here: other rounding is expected across these, not on one machine.
        var elsewhere = check.StoredOn is { } was && check.CheckedOn is { } now ? was.DifferencesFrom(now) : [];
        if (check.Reproduced)
        {
            bench.Ui.Info($"{check.Stage}: reproduced: {compared.Count} output(s) byte for byte as stored{notCompared}" +
                          (elsewhere.Count == 0 ? "" : $"; the stored result was computed elsewhere ({string.Join("; ", elsewhere)})"));
            return;
        }
        var differ = compared.Where(o => o.Same is false).ToList();
        if (check.StoppedWhereParted)
            bench.Ui.Info($"{check.Stage}: NOT reproduced: {differ[0].Name}: {differ[0].Detail}; stopped there, as everything computed after it would differ too{notCompared}");
        else bench.Ui.Info($"{check.Stage}: NOT reproduced: {string.Join(", ", differ.Select(o => o.Name))} differ from the stored result " +
                      $"({compared.Count - differ.Count} of {compared.Count} the same){notCompared}");
        foreach (var o in differ.Where(o => o.Detail is not null && !check.StoppedWhereParted)) bench.Ui.Info($"{check.Stage}: {o.Name}: {o.Detail}");
        if (check.StoredOn is not null && check.CheckedOn is not null)
            bench.Ui.Info(elsewhere.Count > 0
                ? $"{check.Stage}: the stored result was computed elsewhere ({string.Join("; ", elsewhere)}): other float rounding there is expected, not a fault"
                : $"{check.Stage}: the stored result was computed as here (the same CPU, {check.CheckedOn.Threads} thread(s), kernels and libtorch), so the bits should have been the same: " +
                  "check it again, and see docs/demo.md");
    }

    private StoreEntry Execute(Stage stage, string key, Dictionary<string, StoreEntry> deps, SortedDictionary<string, string> inputs,
        bool exclusive, Stopwatch clock, string position, CancellationToken ct)
    {
        var (work, outputs, device, _) = Compute(stage, key, deps, inputs, exclusive, ct, $"running (key {Keys.Short(key)}{(position.Length == 0 ? "" : $"; {position}")})");
        var entry = DeletingOnFailure(stage, key, work, () =>
        {
            var files = new SortedDictionary<string, StoredFile>(StringComparer.Ordinal);
            foreach (var (name, o) in outputs) files[name] = new StoredFile(o.Digest, SizeOf(o.Path), o.Path);
            var record = stage.Computes ? ComputeBackend.RecordOn(device) : null;
            if (record?.Verdict == "failed") // by construction the backend refused before this; never publish such a result
                throw new NumericsException($"{stage.Id}: computed on kernels that failed the numerics self-check ({ComputeBackend.ReportOn(device)?.DescribeFailures()}); not published.");
            return bench.Store.Publish(new StoreEntry(stage.Id, stage.Kind, key, stage.CodeVersion, stage.Parameters, inputs, files,
                DateTimeOffset.UtcNow, Math.Round(clock.Elapsed.TotalSeconds, 3)) { Compute = record }, work);
        });
        bench.Ui.Info($"{stage.Id}: done in {clock.Elapsed.TotalSeconds:F1} s");
        return entry;
    }

    /// <summary>
    /// Computes a stage into a new work folder of the store: its outputs, not yet published, and the device that computed
    /// them (settled before the stage, whatever ran before it in this process, so what its entry records is what computed it).
    /// </summary>
    /// <param name="checkedAgainst">The stored result a <c>run --check</c> computes beside: a stage that writes in place writes into the
    /// work folder instead, and a long one may stop where it parts from it.</param>
    /// <returns>The work folder, the outputs and the device; for a check, instead of the outputs where the stage stopped as it parted from the
    /// stored result, that parting (the work folder is then gone).</returns>
    private (string Work, IReadOnlyDictionary<string, StageOutput> Outputs, TorchSharp.torch.Device Device, PartedFromStoredException? Parted) Compute(Stage stage, string key,
        Dictionary<string, StoreEntry> deps, IReadOnlyDictionary<string, string> inputs, bool exclusive, CancellationToken ct, string doing, StoreEntry? checkedAgainst = null)
    {
        var ui = bench.Ui;
        ui.Info($"{stage.Id}: {doing}");
        VerifyInputs(stage, deps, exclusive);
        VerifyExternalInputs(stage, inputs, "since its digest was taken for the key (rewritten keeping its size and time?)");
        var device = TorchSharp.torch.CPU;
        if (stage.Computes)
        {
            // Only a command that computes touches torch's process-wide state: status, push, pull and gc never do.
            device = ComputeBackend.Prepare(bench.Workspace.Compute, stage.DeviceSetting, ui.Info); // a device that cannot be used stops here, before any work
            ComputeBackend.EnsureChecked(device); // the CPU's kernels, or the accelerator's for a CUDA stage
        }
        var work = bench.Store.NewWorkDir(stage.Id);
        var inPlace = checkedAgainst is not null && stage.WritesInPlace ? Path.Combine(work, "in-place") : null;
        var context = new StageContext(stage.Id, key, work, deps, bench.Digests, ui, bench.Http, ct) { Device = device, InPlaceDir = inPlace, Stored = checkedAgainst };
        try
        {
            return (work, DeletingOnFailure(stage, key, work, () =>
            {
                var outputs = stage.Execute(context);
                VerifyExternalInputs(stage, inputs, "while the stage read it"); // else the result would be stored under the old content's key
                return outputs;
            }), device, null);
        }
        catch (PartedFromStoredException parted) when (checkedAgainst is not null) { return (work, new Dictionary<string, StageOutput>(), device, parted); }
    }

    /// <summary>Runs <paramref name="body"/>; if it fails, the work folder goes (a full disk is said with what to do about it).</summary>
    private T DeletingOnFailure<T>(Stage stage, string key, string work, Func<T> body)
    {
        try { return body(); }
        catch (Exception e) when (DiskSpace.IsFull(e))
        {
            AtomicFile.TryDelete(work);
            throw Full(stage, key, e);
        }
        catch
        {
            AtomicFile.TryDelete(work);
            throw;
        }
    }

    private PipelineException Full(Stage stage, string key, Exception e)
    {
        var resumable = stage.WorkInProgress(key) is { } wip ? $"; {wip}" : "";
        return new PipelineException($"{stage.Id}: {e.Message}. Nothing of it was published{resumable}. Make room on that disk and run again " +
            "(the stages completed before are kept): `petseg gc` deletes the store's results " +
            $"that no lock names any more (`petseg gc --dry-run` says how much it would free), or keep the artifacts on a larger disk (the store is {bench.Store.Root}).");
    }

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
                if (bench.Digests.Verified(path) == f.Digest) continue;
                bench.Store.Discard(e, $"output '{name}' ({path}) no longer matches its digest {f.Digest}");
                var message = $"{stage.Id}: input {id}/{name} is damaged ({path} changed after it was published)";
                throw exclusive
                    ? new PipelineException(message + $"; run '{id}' again (without --exclusive) to rebuild it.")
                    : new DamagedInputException(message);
            }
    }

    /// <summary>
    /// Re-hashes what the stage reads from outside the store (<see cref="Stage.ExternalInputs"/>) against the digests in
    /// its key: a memo fooled by a file rewritten with its size and time kept, or a file changed while the stage read it,
    /// stops the stage before anything is published, and a second run keys the content as it is then.
    /// </summary>
    private void VerifyExternalInputs(Stage stage, IReadOnlyDictionary<string, string> inputs, string when)
    {
        foreach (var (name, path) in stage.ExternalInputs)
            if (inputs.TryGetValue(name, out var keyed) && (File.Exists(path) || Directory.Exists(path) ? bench.Digests.Verified(path) : "missing") != keyed)
                throw new PipelineException($"{stage.Id}: its input {name} ({path}) changed {when}; nothing was published: run it again once the files are settled");
    }

    private static long SizeOf(string path) =>
        Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length)
        : File.Exists(path) ? new FileInfo(path).Length : 0;
}
