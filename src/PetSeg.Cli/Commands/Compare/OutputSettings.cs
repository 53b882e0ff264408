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

    /// <summary>One format at a time: <c>--json --csv</c> printed JSON and said nothing of the CSV.</summary>
    public override Spectre.Console.ValidationResult Validate() =>
        new[] { (Markdown, "--md"), (Csv, "--csv"), (Json, "--json") }.Where(f => f.Item1).Select(f => f.Item2).ToList() is { Count: > 1 } formats
            ? Spectre.Console.ValidationResult.Error($"{string.Join(" and ", formats)} each choose the output's format: give one")
            : base.Validate();
}
