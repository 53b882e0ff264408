using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class TransferSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGETS]")]
    [Description("Stages or groups (train, evaluate, report, ...). Default: every stage pipeline.lock names.")]
    public string[] Targets { get; init; } = [];
}
