using System.ComponentModel;
using PetSeg.Workflow.Cluster;
using Spectre.Console;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Cancel the jobs of this workspace's latest submission that are still queued or running.")]
public sealed class CancelCommand : GuardedCommand<PipelineSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var submission = Submission.Latest(config.ArtifactsDir);
        if (submission is null) { System.Console.WriteLine("cancel: nothing was submitted from this workspace"); return Task.FromResult(0); }
        var slurm = new SlurmClient();
        var active = slurm.Jobs(submission.Jobs.Select(j => j.JobId).ToList()).Where(j => j.IsActive).Select(j => j.Id).ToList();
        slurm.Cancel(active);
        System.Console.WriteLine($"cancel: {active.Count} job(s) of submission {submission.Id} cancelled");
        return Task.FromResult(0);
    }
}
