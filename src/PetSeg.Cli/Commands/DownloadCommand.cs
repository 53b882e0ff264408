using System.ComponentModel;
using PetSeg.Cli.Console;
using PetSeg.Pipeline.Stages;

namespace PetSeg.Cli.Commands;

[Description("Download (or generate, for the synthetic source) and extract the Oxford-IIIT Pet archives.")]
public sealed class DownloadCommand : GuardedCommand<PipelineSettings>
{
    protected override async Task<int> RunAsync(PipelineSettings settings, CancellationToken ct)
    {
        var config = settings.Load();
        await DownloadStage.RunAsync(config, new ConsoleProgressSink(), ct: ct);
        return 0;
    }
}

[Description("Decode, resize and store both splits as uint8 tensor caches (runs Download first if needed).")]
public sealed class PreprocessCommand : GuardedCommand<PipelineSettings>
{
    protected override async Task<int> RunAsync(PipelineSettings settings, CancellationToken ct)
    {
        var config = settings.Load();
        var ui = new ConsoleProgressSink();
        var data = await DownloadStage.RunAsync(config, ui, ct: ct);
        PreprocessStage.Run(config, data, ui, ct);
        return 0;
    }
}
