using System.ComponentModel;
using PetSeg.Cli.Console;
using PetSeg.Workflow.Cluster;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Runner;
using Spectre.Console;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Submit every stale stage of TARGET to Slurm (cluster: in pipeline.yaml), one job per stage chained by afterok; prints job ids and resources.")]
public sealed class SubmitCommand : GuardedCommand<SubmitSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(SubmitSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var runner = s.Runner(config);
        var slurm = new SlurmClient();
        var submission = new ClusterSubmitter(config.Cluster, runner, slurm, PetsegLauncher.Command(), s.JobOptions(config), new ConsoleProgressSink()).Submit(s.Target);
        if (submission.Jobs.Count == 0)
        {
            System.Console.WriteLine($"{s.Target}: nothing to submit, every stage is fresh");
            return Task.FromResult(0);
        }
        var table = new Table().AddColumns("stage", "job", "depends on", "resources");
        foreach (var j in submission.Jobs)
            table.AddRow(Markup.Escape(j.Stage), j.JobId + (j.Reused ? " (queued before)" : ""), Markup.Escape(string.Join(", ", j.DependsOn)), Markup.Escape(j.Resources));
        AnsiConsole.Write(table);
        var submitted = submission.Jobs.Count(j => !j.Reused);
        System.Console.WriteLine($"submitted {submitted} job(s) ({submission.Jobs.Count - submitted} already queued); scripts and logs: {submission.Folder(config.ArtifactsDir)}");
        if (config.Cluster.Requeue)
            System.Console.WriteLine($"requeue: a job {JobScript.RequeueLeadSeconds} s from its time limit stops at the end of its step and requeues itself, resuming there");
        if (!s.Wait) return Task.FromResult(0);
        return Task.FromResult(Follow(submission, config, runner, slurm, s.Poll, ct));
    }

    private static int Follow(Submission submission, PipelineConfig config, PipelineRunner runner, SlurmClient slurm, double poll, CancellationToken ct)
    {
        var watcher = new SubmissionWatcher(submission, slurm, stage => runner.FreshEntry(stage) is not null);
        var started = DateTime.UtcNow;
        IReadOnlyList<JobState> states;
        if (System.Console.IsOutputRedirected)
        {
            // Logs and CI: one line per state change.
            var seen = new Dictionary<string, string>();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                states = watcher.Poll();
                foreach (var st in states.Where(st => seen.GetValueOrDefault(st.Job.Stage) != st.State))
                {
                    seen[st.Job.Stage] = st.State;
                    System.Console.WriteLine($"{DateTime.UtcNow - started:hh\\:mm\\:ss} job {st.Job.JobId,-6} {st.Job.Stage,-32} {st.State.ToLowerInvariant()}{(st.Elapsed.Length > 0 ? $" ({st.Elapsed})" : "")}");
                }
                if (states.All(st => st.Finished)) break;
                Thread.Sleep(TimeSpan.FromSeconds(poll));
            }
        }
        else
        {
            // A terminal: one live table (stage, job, state, elapsed) redrawn on every poll.
            states = watcher.Poll();
            AnsiConsole.Live(Render(states, started)).Start(live =>
            {
                while (!states.All(st => st.Finished))
                {
                    ct.ThrowIfCancellationRequested();
                    Thread.Sleep(TimeSpan.FromSeconds(poll));
                    states = watcher.Poll();
                    live.UpdateTarget(Render(states, started));
                }
            });
        }
        var failed = states.Where(st => !st.Succeeded).ToList();
        if (failed.Count == 0)
        {
            System.Console.WriteLine($"all {states.Count} job(s) completed in {DateTime.UtcNow - started:hh\\:mm\\:ss}");
            return 0;
        }
        // The first failure in submission order is the cause; the jobs depending on it were cancelled by Slurm.
        var cause = failed.FirstOrDefault(f => f.State != "CANCELLED" && f.State != "UNKNOWN") ?? failed[0];
        System.Console.Error.WriteLine($"error: stage {cause.Job.Stage} failed (job {cause.Job.JobId}, {cause.State}); " +
            $"{failed.Count - 1} dependent job(s) did not run. Last lines of {cause.Job.Log}:\n{SubmissionWatcher.Tail(cause.Job.Log)}");
        return 1;
    }

    private static Table Render(IReadOnlyList<JobState> states, DateTime started)
    {
        var table = new Table().AddColumns("stage", "job", "state", "elapsed")
            .Caption($"{states.Count(s => s.Succeeded)} of {states.Count} done, {DateTime.UtcNow - started:hh\\:mm\\:ss}");
        foreach (var st in states)
        {
            var color = st.State switch { "COMPLETED" => "green", "RUNNING" => "yellow", "PENDING" => "grey", _ => "red" };
            table.AddRow(Markup.Escape(st.Job.Stage), st.Job.JobId, $"[{color}]{st.State.ToLowerInvariant()}[/]", st.Elapsed);
        }
        return table;
    }
}
