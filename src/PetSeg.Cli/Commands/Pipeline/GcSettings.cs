using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class GcSettings : PipelineSettings
{
    [CommandOption("-n|--dry-run")]
    [Description("Only say what would be deleted.")]
    public bool DryRun { get; init; }
}
