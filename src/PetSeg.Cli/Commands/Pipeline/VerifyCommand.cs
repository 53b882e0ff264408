using System.ComponentModel;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Re-hash every stored result (ignoring the size+mtime memo, so bit rot is found); damaged entries are removed and rebuilt by the next run. Exit 1 if any was damaged.")]
public sealed class VerifyCommand : GuardedCommand<PipelineSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        var lost = s.Runner(s.Load()).Verify();
        foreach (var stage in lost) System.Console.WriteLine($"verify: {stage} is no longer fresh (damaged, or downstream of a damaged result)");
        System.Console.WriteLine(lost.Count == 0 ? "verify: every fresh result matches its recorded digests" : $"verify: {lost.Count} stage(s) will rerun");
        return Task.FromResult(lost.Count == 0 ? 0 : 1);
    }
}
