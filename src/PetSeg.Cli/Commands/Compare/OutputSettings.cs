using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Compare;

public class OutputSettings : PipelineSettings
{
    [CommandOption("--all")][Description("Every value, not only those that differ.")]
    public bool All { get; init; }
    [CommandOption("--md")][Description("Markdown table.")]
    public bool Markdown { get; init; }
    [CommandOption("--csv")][Description("CSV.")]
    public bool Csv { get; init; }
    [CommandOption("--json")][Description("JSON.")]
    public bool Json { get; init; }
}
