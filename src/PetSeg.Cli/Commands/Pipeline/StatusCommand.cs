using System.ComponentModel;
using System.Text.Json;
using PetSeg.Lab;
using PetSeg.Workflow.Runner;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("List every stage as fresh or stale, and why (which parameter or input changed), without running anything.")]
public sealed class StatusCommand : GuardedCommand<StatusSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(StatusSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var status = s.Runner(config, quiet: true).Status();
        var jobs = ClusterJobs(config);
        // A running job's log says how far it is (its last progress line).
        var logs = jobs.Count == 0 ? [] : PetSeg.Workflow.Cluster.Submission.Latest(config.ArtifactsDir)?.Jobs
            .GroupBy(j => j.JobId).ToDictionary(g => g.Key, g => g.First().Log) ?? [];
        string? Progress(PetSeg.Workflow.Cluster.SlurmJob j) =>
            j.State == "RUNNING" && logs.TryGetValue(j.Id, out var log) && File.Exists(log)
            && File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0) is { } last ? Shorten(last.Trim()) : null;
        if (s.Json)
        {
            System.Console.WriteLine(JsonSerializer.Serialize(status.Select(x => new
            {
                stage = x.Stage, fresh = x.State == Freshness.Fresh, runs = x.Runs, key = x.Key, reasons = x.Reasons,
                job = jobs.TryGetValue(x.Stage, out var j) ? new { id = j.Id, state = j.State.ToLowerInvariant(), progress = Progress(j) } : null,
                computing = x.ComputedBy is { } c ? new { pid = c.Pid, host = c.Host, purpose = c.Purpose, since = c.Since, progress = x.Progress } : null,
            })));
            return Task.FromResult(0);
        }
        foreach (var x in status)
        {
            var job = jobs.TryGetValue(x.Stage, out var j) ? $"  [{j.State.ToLowerInvariant()} on the cluster: job {j.Id}{(Progress(j) is { } p ? $", {p}" : "")}]" : "";
            System.Console.WriteLine($"{(x.State == Freshness.Fresh ? "fresh" : "STALE"),-6} {x.Stage}{job}");
            foreach (var r in x.Reasons) System.Console.WriteLine($"         {r}");
        }
        int stale = status.Count(x => x.State == Freshness.Stale);
        System.Console.WriteLine(stale == 0 ? "everything is up to date" : $"{stale} of {status.Count} stage(s) stale");
        return Task.FromResult(0);
    }

    private static string Shorten(string line) => line.Length <= 100 ? line : line[..99] + "…";

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
