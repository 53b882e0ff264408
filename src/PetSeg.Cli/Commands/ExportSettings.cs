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
    [Description("safetensors (safetensors.torch.load_file), pth (torch.load(f, weights_only=True)) or onnx (the model itself, for ONNX Runtime, OpenCV or TensorRT without libtorch: uint8 RGB image [[N,3,H,W]] in, logits and mask out). Default: the --out file's extension where it is one of these, else safetensors.")]
    public string Format { get; init; } = "";

    [CommandOption("--tta <NAME>")]
    [Description("With onnx: test-time augmentation inside the file, none or hflip (the mean of the image's and its mirror's logits, as the experiment's evaluation computed them). Default: the experiment's tta:.")]
    public string? Tta { get; init; }

    private static readonly string[] Formats = ["safetensors", "pth", "onnx"];

    /// <summary>--format, else the --out file's extension where it names a format (unet.onnx is an ONNX file), else safetensors.</summary>
    public string ResolvedFormat => Format.Length > 0 ? Format
        : Path.GetExtension(Out).TrimStart('.').ToLowerInvariant() is var ext && Formats.Contains(ext) && !Directory.Exists(Out) ? ext : "safetensors";

    public override ValidationResult Validate() =>
        string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out is required")
        : !Formats.Contains(ResolvedFormat) ? ValidationResult.Error($"--format must be safetensors, pth or onnx, not '{Format}'")
        : Tta is not null && !PetSeg.Inference.TestTimeAugmentations.Names.Contains(Tta) ? ValidationResult.Error($"--tta is one of {string.Join(", ", PetSeg.Inference.TestTimeAugmentations.Names)}, not '{Tta}'")
        : Tta is not null && ResolvedFormat != "onnx" ? ValidationResult.Error($"--tta goes with an ONNX export: {ResolvedFormat} holds the weights alone, which predict --tta takes as they are")
        : base.Validate();
}
