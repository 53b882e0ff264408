using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Compare;

public sealed class DiffSettings : OutputSettings
{
    [CommandArgument(0, "[REV]")][Description("The git revision whose pipeline.lock to compare with (default HEAD).")]
    public string Revision { get; init; } = "HEAD";
}
