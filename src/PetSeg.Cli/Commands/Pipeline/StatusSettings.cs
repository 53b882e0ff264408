using PetSeg.Cli.Commands;
using System.ComponentModel;
using System.Text.Json;
using PetSeg.Cli.Console;
using PetSeg.Lab;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class StatusSettings : PipelineSettings
{
    [CommandOption("--json")]
    [Description("Machine-readable output (used by build.cake to skip fresh stages without starting them).")]
    public bool Json { get; init; }
}
