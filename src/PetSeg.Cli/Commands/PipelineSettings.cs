using System.ComponentModel;
using PetSeg.Pipeline.Config;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

/// <summary>Options every pipeline command takes.</summary>
public class PipelineSettings : CommandSettings
{
    [CommandOption("-c|--config <FILE>")]
    [Description("Pipeline definition (default: pipeline.yaml in the current folder).")]
    public string Config { get; init; } = PipelineConfigLoader.DefaultFile;

    [CommandOption("-p|--profile <NAME>")]
    [Description("Profile from pipeline.yaml's 'profiles:' to overlay, e.g. 'smoke'. Also read from $PETSEG_PROFILE.")]
    public string? Profile { get; init; }

    public PipelineConfig Load() =>
        PipelineConfigLoader.Load(Config, string.IsNullOrEmpty(Profile) ? NullIfEmpty(Environment.GetEnvironmentVariable("PETSEG_PROFILE")) : Profile);

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
