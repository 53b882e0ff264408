using System.ComponentModel;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Bench;

public sealed class RemoteBenchSettings : BenchSettings
{
    [CommandOption("--url <URL>")][Description("Remote to measure: s3://bucket/prefix, file:///path or http(s)://host/path.")]
    public string Url { get; init; } = "";
    [CommandOption("--endpoint <URL>")][Description("S3-compatible server URL (as 'endpoint:' in pipeline.yaml).")]
    public string? Endpoint { get; init; }
    [CommandOption("--mib <N>")][Description("Object size in MiB (default 300: a Unet's weights plus Adam state).")]
    public int MiB { get; init; } = 300;

    public override Spectre.Console.ValidationResult Validate() =>
        string.IsNullOrEmpty(Url) ? Spectre.Console.ValidationResult.Error("--url is required") : base.Validate();
}
