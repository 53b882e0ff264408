using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

public sealed class RunSettings : PipelineSettings
{
    [CommandArgument(0, "[TARGET]")]
    [Description("A stage (download, weights, preprocess, train-<exp>, evaluate-<exp>, report) or a group (train, evaluate). Default: report.")]
    public string Target { get; init; } = "report";

    [CommandOption("--exclusive")]
    [Description("Run only TARGET itself; its inputs must already be published (e.g. after changing one parameter).")]
    public bool Exclusive { get; init; }

    [CommandOption("-f|--force")]
    [Description("Rerun TARGET even when its result is in the store.")]
    public bool Force { get; init; }

    [CommandOption("--push")]
    [Description("Upload every result this run computes to the remote (also: push: true on the remote in pipeline.yaml).")]
    public bool Push { get; init; }
}
