using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Cli.Console;
using PetSeg.Workflow.Cluster;
using PetSeg.Workflow.Runner;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Run a stage and everything it needs; stages whose key is already in the store are skipped.")]
public sealed class RunCommand : GuardedCommand<RunSettings>
{
    protected override Task<int> RunAsync(RunSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var runner = s.Runner(config, push: s.Push);
        if (s.Check)
        {
            var checks = runner.Check(s.Target, s.Upstream, ct);
            var notChecked = checks.Where(c => c.NotChecked is not null).Select(c => c.Stage).ToList();
            var failed = checks.Where(c => c.NotChecked is null && !c.Reproduced).Select(c => c.Stage).ToList();
            int done = checks.Count - notChecked.Count;
            System.Console.WriteLine($"{s.Target}: {done} stage(s) checked, " +
                (done == 0 ? "none could be" : failed.Count == 0 ? "all reproduced byte for byte" : $"{failed.Count} not reproduced: {string.Join(", ", failed)} (the stored results are unchanged)") +
                (notChecked.Count == 0 ? "" : $"; {notChecked.Count} not checked, with nothing stored to check against: {string.Join(", ", notChecked)}"));
            // A check that left stages out has not answered for them: not a success either.
            return Task.FromResult(failed.Count == 0 && notChecked.Count == 0 ? 0 : 1);
        }
        int ranInJobs = 0;
        if (s.Parallelism > 1)
        {
            foreach (var device in s.DevicePool) PetSeg.Compute.DeviceChoice.Resolve(device); // one that cannot be used: one error, before any child starts
            // Each child repeats this command line's configuration, profile, numerics, device and remote.
            var options = s.JobOptions(config).Concat(s.Push ? ["--push"] : []).ToList();
            var parallel = new ParallelRun(runner, s.Parallelism, s.DevicePool, (stage, device) =>
            {
                var command = PetsegLauncher.Command();
                var info = new ProcessStartInfo(command[0]);
                foreach (var a in command.Skip(1).Concat(["run", stage.Id, "--exclusive", .. options]).Concat(device is null ? [] : ["--device", device]))
                    info.ArgumentList.Add(a);
                foreach (var (name, value) in ClusterSubmitter.EnvironmentFor(stage, config.Compute)) info.Environment[name] = value;
                return info;
            }, new ConsoleProgressSink());
            var outcome = parallel.Run(s.Target, ct);
            if (!outcome.Succeeded)
            {
                System.Console.Error.WriteLine($"error: {s.Target}: {string.Join(", ", outcome.Failed)} failed (their output is above, under their names)" +
                    (outcome.NotRun.Count > 0 ? $"; not run: {string.Join(", ", outcome.NotRun)}" : "") + $"; done: {outcome.Done.Count}, kept for the next run");
                return Task.FromResult(1);
            }
            ranInJobs = outcome.Done.Count;
        }
        // Sequentially, or after the jobs: everything they published is a cache hit, and views (the report's copy) are refreshed here.
        // --force and --exclusive come only without --jobs (a usage error beside it).
        var runs = runner.Run(s.Target, s.Force, s.Exclusive, ct);
        int executed = runs.Count(r => r.Outcome == StageOutcome.Executed), pulled = runs.Count(r => r.Outcome == StageOutcome.Pulled);
        var jobs = s.Parallelism > 1 ? $"{ranInJobs} in parallel jobs, " : "";
        System.Console.WriteLine($"{s.Target}: {runs.Count} stage(s), {jobs}{executed} ran, {pulled} pulled, {runs.Count - executed - pulled - ranInJobs} cache hit(s)");
        return Task.FromResult(0);
    }
}
