using System.ComponentModel;
using System.Diagnostics;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Upload published results (outputs as content-addressed objects, then the stage record) to the remote; what is there already is skipped.")]
public sealed class PushCommand : GuardedCommand<TransferSettings>
{
    protected override bool UsesTorch => false;

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
