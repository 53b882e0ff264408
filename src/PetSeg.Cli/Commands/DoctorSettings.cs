using System.ComponentModel;
using PetSeg.Compute;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

public sealed class DoctorSettings : CommandSettings
{
    [CommandOption("--numerics <MODE>")]
    [Description("auto (default: check, fall back to a correct path), strict (check only the default kernels) or off (show the machine, check nothing).")]
    public string Numerics { get; init; } = "auto";

    [CommandOption("--bf16")]
    [Description("Check the bf16 kernels too (what precision: bf16 trains with).")]
    public bool Bf16 { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON document instead of the tables (for scripts).")]
    public bool Json { get; init; }

    public override ValidationResult Validate() => NumericsModes.TryParse(Numerics, out _)
        ? ValidationResult.Success() : ValidationResult.Error($"--numerics must be one of {string.Join(", ", NumericsModes.Names)}, not '{Numerics}'");
}
