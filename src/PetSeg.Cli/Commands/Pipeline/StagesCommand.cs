using PetSeg.Cli.Commands;
using System.ComponentModel;
using System.Text.Json;
using PetSeg.Cli.Console;
using PetSeg.Lab;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Print the stage graph (id, kind, dependencies, group), one stage per line, tab-separated; build.cake registers its tasks from this.")]
public sealed class StagesCommand : GuardedCommand<PipelineSettings>
{
    protected override Task<int> RunAsync(PipelineSettings s, CancellationToken ct)
    {
        foreach (var stage in LabPipeline.Build(s.Load()).Stages)
            System.Console.WriteLine($"{stage.Id}\t{stage.Kind}\t{string.Join(",", stage.DependsOn)}\t{stage.Group}");
        return Task.FromResult(0);
    }
}
