using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Compare;

public sealed class ExpShowSettings : OutputSettings
{
    [CommandOption("--sort <METRIC>")][Description("Sort by a headline metric, best first (the metrics are listed in the description above).")]
    public string? Sort { get; init; }
}
