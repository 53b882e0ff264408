using System.ComponentModel;
using PetSeg.Workflow.Runner;

namespace PetSeg.Cli.Commands.Pipeline;

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
