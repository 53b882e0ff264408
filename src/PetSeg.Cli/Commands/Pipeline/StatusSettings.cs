using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class StatusSettings : PipelineSettings
{
    [CommandOption("--json")]
    [Description("Machine-readable output (used by build.cake to skip fresh stages without starting them).")]
    public bool Json { get; init; }
}
