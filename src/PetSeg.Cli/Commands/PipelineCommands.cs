using System.ComponentModel;
using System.Text.Json;
using PetSeg.Cli.Console;
using PetSeg.Lab;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

public sealed class RunSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGET]")]
    [Description("A stage (download, weights, preprocess, train-<exp>, evaluate-<exp>, report) or a group (train, evaluate). Default: report.")]
    public string Target { get; init; } = "report";

    [CommandOption("--exclusive")]
    [Description("Run only TARGET itself; its inputs must already be published (e.g. after changing one parameter).")]
    public bool Exclusive { get; init; }

    [CommandOption("-f|--force")]
    [Description("Rerun TARGET even when its result is in the store.")]
    public bool Force { get; init; }

    [CommandOption("--push")]
    [Description("Upload every result this run computes to the remote (also: push: true on the remote in pipeline.yaml).")]
    public bool Push { get; init; }
}

[Description("Run a stage and everything it needs; stages whose key is already in the store are skipped.")]
public sealed class RunCommand : GuardedCommand<RunSettings>
{
    protected override Task<int> RunAsync(RunSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var runner = s.Runner(config, push: s.Push);
        var runs = runner.Run(s.Target, s.Force, s.Exclusive, ct);
        int executed = runs.Count(r => r.Outcome == StageOutcome.Executed), pulled = runs.Count(r => r.Outcome == StageOutcome.Pulled);
        System.Console.WriteLine($"{s.Target}: {runs.Count} stage(s), {executed} ran, {pulled} pulled, {runs.Count - executed - pulled} cache hit(s)");
        return Task.FromResult(0);
    }
}

public sealed class StatusSettings : PipelineSettings
{
    [CommandOption("--json")]
    [Description("Machine-readable output (used by build.cake to skip fresh stages without starting them).")]
    public bool Json { get; init; }
}

[Description("List every stage as fresh or stale, and why (which parameter or input changed), without running anything.")]
public sealed class StatusCommand : GuardedCommand<StatusSettings>
{
    protected override Task<int> RunAsync(StatusSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var status = s.Runner(config, quiet: true).Status();
        var jobs = ClusterJobs(config);
        if (s.Json)
        {
            System.Console.WriteLine(JsonSerializer.Serialize(status.Select(x => new
            {
                stage = x.Stage, fresh = x.State == Freshness.Fresh, runs = x.Runs, key = x.Key, reasons = x.Reasons,
                job = jobs.TryGetValue(x.Stage, out var j) ? new { id = j.Id, state = j.State.ToLowerInvariant() } : null,
            })));
            return Task.FromResult(0);
        }
        foreach (var x in status)
        {
            var job = jobs.TryGetValue(x.Stage, out var j) ? $"  [{j.State.ToLowerInvariant()} on the cluster: job {j.Id}]" : "";
            System.Console.WriteLine($"{(x.State == Freshness.Fresh ? "fresh" : "STALE"),-6} {x.Stage}{job}");
            foreach (var r in x.Reasons) System.Console.WriteLine($"         {r}");
        }
        int stale = status.Count(x => x.State == Freshness.Stale);
        System.Console.WriteLine(stale == 0 ? "everything is up to date" : $"{stale} of {status.Count} stage(s) stale");
        return Task.FromResult(0);
    }

    /// <summary>This workspace's queued or running Slurm jobs by stage (none when no cluster is configured).</summary>
    private static Dictionary<string, PetSeg.Workflow.Cluster.SlurmJob> ClusterJobs(PetSeg.Lab.Config.PipelineConfig config)
    {
        if (config.Cluster.Engine != "slurm") return [];
        var prefix = PetSeg.Workflow.Cluster.ClusterSubmitter.JobPrefix(LabPipeline.WorkspaceOf(config));
        try
        {
            return new PetSeg.Workflow.Cluster.SlurmClient().Named(prefix).Where(j => j.IsActive)
                .GroupBy(j => j.Name[prefix.Length..]).ToDictionary(g => g.Key, g => g.First());
        }
        catch (PetSeg.Workflow.Cluster.ClusterException e)
        {
            System.Console.Error.WriteLine($"note: cannot ask Slurm about queued jobs ({e.Message})");
            return [];
        }
    }
}

[Description("Print the stage graph (id, kind, dependencies, group), one stage per line, tab-separated; build.cake registers its tasks from this.")]
public sealed class StagesCommand : GuardedCommand<PipelineSettings>
{
    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        foreach (var stage in LabPipeline.Build(s.Load()).Stages)
            System.Console.WriteLine($"{stage.Id}\t{stage.Kind}\t{string.Join(",", stage.DependsOn)}\t{stage.Group}");
        return Task.FromResult(0);
    }
}

public sealed class GcSettings : PipelineSettings
{
    [CommandOption("-n|--dry-run")]
    [Description("Only say what would be deleted.")]
    public bool DryRun { get; init; }
}

[Description("Delete store entries that no profile's lock file references and the current configuration does not call fresh; refuses if a lock file is damaged.")]
public sealed class GcCommand : GuardedCommand<GcSettings>
{
    protected override Task<int> RunAsync(GcSettings s, CancellationToken ct)
    {
        var (n, bytes) = s.Runner(s.Load()).CollectGarbage(s.DryRun);
        System.Console.WriteLine($"gc: {(s.DryRun ? "would remove" : "removed")} {n} entr{(n == 1 ? "y" : "ies")}, {bytes / 1048576.0:F1} MiB {(s.DryRun ? "to free" : "freed")}");
        return Task.FromResult(0);
    }
}

[Description("Re-hash every stored result (ignoring the size+mtime memo, so bit rot is found); damaged entries are removed and rebuilt by the next run. Exit 1 if any was damaged.")]
public sealed class VerifyCommand : GuardedCommand<PipelineSettings>
{
    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        var lost = s.Runner(s.Load()).Verify();
        foreach (var stage in lost) System.Console.WriteLine($"verify: {stage} is no longer fresh (damaged, or downstream of a damaged result)");
        System.Console.WriteLine(lost.Count == 0 ? "verify: every fresh result matches its recorded digests" : $"verify: {lost.Count} stage(s) will rerun");
        return Task.FromResult(lost.Count == 0 ? 0 : 1);
    }
}
