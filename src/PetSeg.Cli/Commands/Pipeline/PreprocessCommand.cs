using System.ComponentModel;
using PetSeg.Lab.Stages;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Decode, resize and store both splits as uint8 tensor caches (runs Download first if needed): `run preprocess`.")]
public sealed class PreprocessCommand : GuardedCommand<PipelineSettings>
{
    protected override Task<int> RunAsync(PipelineSettings settings, CancellationToken ct)
    {
        var config = settings.Load();
        settings.Runner(config).Run(StageIds.Preprocess, ct: ct);
        return Task.FromResult(0);
    }
}
