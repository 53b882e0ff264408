using System.ComponentModel;
using PetSeg.Cli.Console;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.Lab;
using PetSeg.Lab.Config;
using PetSeg.Workflow.Runner;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

/// <summary>Options every pipeline command takes.</summary>
public class PipelineSettings : CommandSettings
{
    [CommandOption("-c|--config <PATH>")]
    [Description("Pipeline definition, or the project folder holding its pipeline.yaml (default: pipeline.yaml in the current folder).")]
    public string Config { get; init; } = PipelineConfigLoader.DefaultFile;

    [CommandOption("-p|--profile <NAME>")]
    [Description("Profile from pipeline.yaml's 'profiles:' to overlay, e.g. 'smoke'. Also read from $PETSEG_PROFILE.")]
    public string? Profile { get; init; }

    [CommandOption("--remote <NAME>")]
    [Description("Use this remote from pipeline.yaml's 'remotes:' instead of the default ('remote:').")]
    public string? RemoteName { get; init; }

    [CommandOption("--numerics <MODE>")]
    [Description("Numerics self-check of the compute kernels: auto (check, use a correct path), strict (check, refuse), off (trust). Overrides compute.numerics.")]
    public string? Numerics { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("Where training and evaluation compute: auto, cpu, cuda or cuda:N. Overrides compute.device and every experiment's device.")]
    public string? Device { get; init; }

    [CommandOption("--no-remote")]
    [Description("Work locally: neither pull from nor push to any remote.")]
    public bool NoRemote { get; init; }

    /// <summary>The remote this command uses, or null (none configured, or --no-remote).</summary>
    public RemoteUse? Remote(PipelineConfig config, bool push = false) =>
        NoRemote ? null
        : config.Remotes.Select(RemoteName, config.File) is { } r ? new RemoteUse(r, push || r.Push) : null;

    /// <summary>
    /// The one place the CLI builds the engine's runner: over the lab's stages, with this command line's remote (none
    /// with --no-remote), reporting to the console (only warnings, on standard error, for commands whose output is a result).
    /// </summary>
    public PipelineRunner Runner(PipelineConfig config, bool quiet = false, bool push = false) =>
        LabPipeline.Runner(config, quiet ? WarningsOnlySink.Instance : new ConsoleProgressSink(), remote: Remote(config, push));

    /// <summary>The options a cluster job repeats so it sees the same configuration, profile and remote.</summary>
    public IReadOnlyList<string> JobOptions(PipelineConfig config)
    {
        var options = new List<string> { "--config", Path.GetFullPath(Config) };
        if (config.Profile is { } p) options.AddRange(["--profile", p]);
        if (Numerics is { } n) options.AddRange(["--numerics", n]);
        if (Device is { } d) options.AddRange(["--device", d]);
        if (NoRemote) options.Add("--no-remote");
        else if (RemoteName is { } r) options.AddRange(["--remote", r]);
        return options;
    }

    /// <summary>A mode or device that is not one is a usage error (exit 2, before anything runs), as in doctor and bench.</summary>
    public override Spectre.Console.ValidationResult Validate() =>
        Numerics is not null && NumericsModes.Invalid("--numerics", Numerics) is { } numerics ? Spectre.Console.ValidationResult.Error(numerics)
        : Device is not null && DeviceChoice.Invalid("--device", Device) is { } device ? Spectre.Console.ValidationResult.Error(device)
        : Spectre.Console.ValidationResult.Success();

    /// <summary>The configuration with the command line's overrides; the compute backend takes its numerics mode from it.</summary>
    public PipelineConfig Load()
    {
        var config = PipelineConfigLoader.Load(Config, string.IsNullOrEmpty(Profile) ? NullIfEmpty(Environment.GetEnvironmentVariable("PETSEG_PROFILE")) : Profile);
        if (Numerics is not null)
        {
            NumericsModes.TryParse(Numerics, out var mode); // checked by Validate
            config = config with { Compute = config.Compute with { Numerics = mode } };
        }
        if (Device is not null)
        {
            config = config with { Compute = config.Compute with { Device = Device }, Experiments = config.Experiments.Select(e => e with { Device = null }).ToList() };
        }
        if (config.Compute.LibTorch is { } folder && Environment.GetEnvironmentVariable(LibTorchFolder.Variable) is null or "")
            foreach (var warning in LibTorchFolder.Load(folder).Warnings) System.Console.Error.WriteLine("warning: " + warning);
        return config;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
