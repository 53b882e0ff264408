using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Cli.Console;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

public sealed class TransferSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGETS]")]
    [Description("Stages or groups (train, evaluate, report, ...). Default: every stage pipeline.lock names.")]
    public string[] Targets { get; init; } = [];
}

[Description("Upload published results (outputs as content-addressed objects, then the stage record) to the remote; what is there already is skipped.")]
public sealed class PushCommand : GuardedCommand<TransferSettings>
{
    protected override Task<int> RunAsync(TransferSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var clock = Stopwatch.StartNew();
        var results = s.Runner(config).Push(s.Targets, ct);
        var sent = results.Where(r => !r.AlreadyThere).ToList();
        System.Console.WriteLine($"pushed {sent.Count} result(s), {sent.Sum(r => r.BytesSent) / 1048576.0:F1} MiB, {clock.Elapsed.TotalSeconds:F1} s; {results.Count - sent.Count} already there");
        return Task.FromResult(0);
    }
}

[Description("Download the results pipeline.lock names from the remote into the local store, verifying every byte; a following run is all cache hits.")]
public sealed class PullCommand : GuardedCommand<TransferSettings>
{
    protected override Task<int> RunAsync(TransferSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var clock = Stopwatch.StartNew();
        var results = s.Runner(config).Pull(s.Targets, ct);
        int Count(string outcome) => results.Count(r => r.Outcome == outcome);
        System.Console.WriteLine($"pulled {Count("pulled")} result(s) in {clock.Elapsed.TotalSeconds:F1} s; {Count("present")} already here, {Count("absent")} not on the remote, {Count("corrupt")} corrupt (not used)");
        return Task.FromResult(Count("corrupt") > 0 ? 1 : 0);
    }
}
