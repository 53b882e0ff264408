using System.ComponentModel;
using System.Diagnostics;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Download the results pipeline.lock names from the remote into the local store, verifying every byte; a following run is all cache hits.")]
public sealed class PullCommand : GuardedCommand<TransferSettings>
{
    protected override bool UsesTorch => false;

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
