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

    [CommandOption("--device <DEVICE>")]
    [Description("auto (default: the CPU, and cuda:0 too when CUDA works), cpu, cuda or cuda:N: an accelerator is checked on its own, as training computes there.")]
    public string Device { get; init; } = "auto";

    [CommandOption("--no-tf32")]
    [Description("Check CUDA's fp32 without TF32 (what compute: { tf32: false } trains with).")]
    public bool NoTf32 { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON document instead of the tables (for scripts).")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        NumericsModes.Invalid("--numerics", Numerics) is { } invalid ? ValidationResult.Error(invalid)
        : DeviceChoice.Invalid("--device", Device) is { } device ? ValidationResult.Error(device)
        : ValidationResult.Success();
}
