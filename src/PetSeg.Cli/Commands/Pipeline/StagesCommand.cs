using System.ComponentModel;
using PetSeg.Lab;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Print the stage graph (id, kind, dependencies, group), one stage per line, tab-separated; build.cake registers its tasks from this.")]
public sealed class StagesCommand : GuardedCommand<PipelineSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        foreach (var stage in LabPipeline.Build(s.Load()).Stages)
            System.Console.WriteLine($"{stage.Id}\t{stage.Kind}\t{string.Join(",", stage.DependsOn)}\t{stage.Group}");
        return Task.FromResult(0);
    }
}
