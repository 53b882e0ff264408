using System.ComponentModel;
using PetSeg.Core;
using PetSeg.Lab;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Compare;

public sealed class ExpShowSettings : OutputSettings
{
    [CommandOption("--sort <METRIC>")][Description("Sort by a headline metric, best first (the metrics are listed in the description above).")]
    public string? Sort { get; init; }
    [CommandOption("--group")][Description("One row per experiment as declared: its seeds' and folds' runs as one, each metric their mean, with how many runs (a parameter where they differ lists their values).")]
    public bool Group { get; init; }

    public override ValidationResult Validate()
    {
        var metrics = LabPipeline.Comparison.MetricNames;
        return Sort is null || metrics.Contains(Sort) ? base.Validate()
            : ValidationResult.Error($"--sort {Sort}: not a metric{ClosestName.Suggestion(Sort, metrics)}; one of {string.Join(", ", metrics)}");
    }
}
