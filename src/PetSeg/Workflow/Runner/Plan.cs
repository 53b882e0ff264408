using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Stages;
using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Runner;

/// <summary>
/// The one place freshness is decided: a stage's inputs are its dependencies' published output digests, its key is
/// their hash with its kind, code and parameters, and it is fresh when the store holds that key intact. Run decides
/// stage by stage as its dependencies publish; status, submit and Cake read the whole graph's plan at once.
/// </summary>
public static class Plan
{
    /// <summary>
    /// The digests that feed the key, by input name: the dependencies' outputs, and the content of whatever the stage reads
    /// from outside the store (hashed once and memoised by size and mtime, as DVC does with its dependencies).
    /// </summary>
    public static SortedDictionary<string, string> Inputs(Stage stage, IReadOnlyDictionary<string, StoreEntry> deps, DigestCache digests)
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, e) in deps)
            foreach (var (name, f) in e.Outputs)
                if (stage.UsesInput(id, name)) inputs[stage.InputName(id, name)] = f.Digest;
        foreach (var (name, path) in stage.ExternalInputs)
        {
            if (name.Contains('/')) throw new InvalidOperationException($"{stage.Id}: external input '{name}' has a '/', which names a dependency's output");
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new PipelineException($"{stage.Id}: its input {name} ({path}) does not exist: put it back, or make the configuration name where it is now");
            inputs[name] = digests.Of(path);
        }
        return inputs;
    }

    public static string KeyOf(Stage stage, IReadOnlyDictionary<string, string> inputs) =>
        StageKey.Compute(stage.Kind, stage.CodeVersion, stage.Parameters, inputs);

    /// <summary>Every stage, fresh or stale with the reasons, in graph order (like <c>dvc status</c>).</summary>
    public static List<StageStatus> Of(StageGraph graph, ArtifactStore store, PipelineLock lockFile)
    {
        var fresh = new Dictionary<string, StoreEntry>(StringComparer.Ordinal);
        var result = new List<StageStatus>();
        foreach (var stage in graph.Stages)
        {
            var staleDeps = stage.DependsOn.Where(d => !fresh.ContainsKey(d)).ToList();
            if (staleDeps.Count > 0)
            {
                result.Add(new StageStatus(stage.Id, Freshness.Stale, null, staleDeps.Select(d => $"upstream stage '{d}' is stale").ToList()));
                continue;
            }
            var inputs = Inputs(stage, stage.DependsOn.ToDictionary(d => d, d => fresh[d], StringComparer.Ordinal), store.Digests);
            var key = KeyOf(stage, inputs);
            // Being computed now (stale: by a run; fresh: again, by a run --check or --force), say who computes it and how far.
            var computing = StageLock.Computing(store.Root, stage.LockName(key));
            var progress = computing is null ? null : stage.Progress(key, store.WorkDirOf(computing.Pid, stage.Id));
            if (store.TryGet(key, stage.Id) is { } entry)
            {
                fresh[stage.Id] = entry;
                result.Add(new StageStatus(stage.Id, Freshness.Fresh, key,
                    computing is null ? [] : [$"being computed again now by {computing.Describe(DateTimeOffset.UtcNow)}{(progress is null ? "" : $": {progress}")}"])
                    { Runs = stage.Presents, ComputedBy = computing, Progress = progress });
                continue;
            }
            var reasons = Explain(stage, inputs, lockFile);
            // Its work folder is not a stopped run's to resume while it is being computed.
            if (computing is not null) reasons.Add($"being computed now by {computing.Describe(DateTimeOffset.UtcNow)}{(progress is null ? "" : $": {progress}")}");
            else if (stage.WorkInProgress(key) is { } left) reasons.Add(left);
            result.Add(new StageStatus(stage.Id, Freshness.Stale, key, reasons) { ComputedBy = computing, Progress = progress });
        }
        return result;
    }

    /// <summary>Why a stage whose dependencies are fresh is stale, against what the lock file recorded last.</summary>
    public static List<string> Explain(Stage stage, IReadOnlyDictionary<string, string> inputs, PipelineLock lockFile)
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
}
