using System.ComponentModel;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Delete store entries that no profile's lock file references and the current configuration does not call fresh; refuses if a lock file is damaged.")]
public sealed class GcCommand : GuardedCommand<GcSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(GcSettings s, CancellationToken ct)
    {
        var (n, bytes) = s.Runner(s.Load()).CollectGarbage(s.DryRun);
        System.Console.WriteLine($"gc: {(s.DryRun ? "would remove" : "removed")} {n} entr{(n == 1 ? "y" : "ies")}, {bytes / 1048576.0:F1} MiB {(s.DryRun ? "to free" : "freed")}");
        return Task.FromResult(0);
    }
}
