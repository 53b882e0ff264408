using PetSeg.Cli.Commands;
using PetSeg.Lab;
using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Compare;

public sealed class DiffSettings : OutputSettings
{
    [CommandArgument(0, "[REV]")][Description("The git revision whose pipeline.lock to compare with (default HEAD).")]
    public string Revision { get; init; } = "HEAD";
}
