using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class SubmitSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGET]")]
    [Description("A stage or group; its stale stages (and theirs) become jobs. Default: report.")]
    public string Target { get; init; } = "report";

    [CommandOption("--wait")]
    [Description("Follow the jobs until they end; exit non-zero with the failed stage's log tail if one fails.")]
    public bool Wait { get; init; }

    [CommandOption("--poll <SECONDS>")]
    [Description("How often --wait asks squeue (default 2).")]
    public double Poll { get; init; } = 2;
}
