using PetSeg.Cli.Commands;
using System.ComponentModel;
using System.Text.Json;
using PetSeg.Cli.Console;
using PetSeg.Lab;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class GcSettings : PipelineSettings
{
    [CommandOption("-n|--dry-run")]
    [Description("Only say what would be deleted.")]
    public bool DryRun { get; init; }
}
