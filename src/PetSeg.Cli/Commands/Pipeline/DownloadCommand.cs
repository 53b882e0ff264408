using System.ComponentModel;
using PetSeg.Lab.Stages;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Download (or generate, for the synthetic source) and extract the Oxford-IIIT Pet archives: `run download`.")]
public sealed class DownloadCommand : GuardedCommand<PipelineSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(PipelineSettings settings, CancellationToken ct)
    {
        // Through the runner, so it takes the store's lock and records what it wrote like every other stage.
        var config = settings.Load();
        settings.Runner(config).Run(StageIds.Download, ct: ct);
        return Task.FromResult(0);
    }
}
