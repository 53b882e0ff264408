using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

public sealed class ExportSettings : PipelineSettings
{
    [CommandArgument(0, "<EXPERIMENT>")]
    [Description("The experiment whose trained weights to export (an id under 'experiments:', e.g. unet-improved; a matrix whose runs held validation images out: the run chosen on them, or its refit with refit: true).")]
    public string Experiment { get; init; } = "";

    [CommandOption("-o|--out <PATH>")]
    [Description("Where to write the weights: a file, or an existing folder (then <experiment>.<format> in it).")]
    public string Out { get; init; } = "";

    [CommandOption("--format <FORMAT>")]
    [Description("safetensors (default; safetensors.torch.load_file) or pth (torch.load(f, weights_only=True)).")]
    public string Format { get; init; } = "safetensors";

    public override ValidationResult Validate() =>
        string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out is required")
        : Format is not ("safetensors" or "pth") ? ValidationResult.Error($"--format must be safetensors or pth, not '{Format}'")
        : base.Validate();
}
