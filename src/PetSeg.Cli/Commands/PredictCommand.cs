using TorchSharp;
using System.ComponentModel;
using PetSeg.Inference;
using PetSeg.Training.Checkpoints;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

[Description("Segment one image with a trained checkpoint; writes the mask (255 = pet) at the image's size, optionally an overlay.")]
public sealed class PredictCommand : GuardedCommand<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <PATH>")][Description("A checkpoint file, a store entry folder (artifacts/store/<key>, see pipeline.lock) holding model.safetensors, or a run folder holding last.ckpt.")]
        public string Checkpoint { get; init; } = "";
        [CommandOption("--image <FILE>")][Description("JPEG or PNG to segment.")]
        public string Image { get; init; } = "";
        [CommandOption("--out <FILE>")][Description("Mask PNG to write.")]
        public string Out { get; init; } = "mask.png";
        [CommandOption("--overlay <FILE>")][Description("Optional: the image with the predicted pet tinted red.")]
        public string? Overlay { get; init; }
        [CommandOption("--size <PX>")][Description("Input size (default: the size the model was trained at).")]
        public int? Size { get; init; }
        [CommandOption("--device <DEVICE>")][Description("auto (default), cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) || string.IsNullOrEmpty(Image)
                ? Spectre.Console.ValidationResult.Error("--checkpoint and --image are required")
                : PetSeg.Compute.DeviceChoice.Invalid("--device", Device) is { } device ? Spectre.Console.ValidationResult.Error(device)
                : Spectre.Console.ValidationResult.Success();
    }

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var device = PetSeg.Compute.DeviceChoice.Resolve(s.Device); // before loading: a device that cannot be used is one clear error
        var (model, info) = TrainingCheckpoint.LoadModel(s.Checkpoint);
        using var _ = model;
        if (device.type != TorchSharp.DeviceType.CPU) model.to(device);
        var p = Predictor.Predict(model, s.Image, s.Size ?? info.Model.ImageSize);
        Predictor.SaveMask(p, s.Out);
        if (s.Overlay is not null) Predictor.SaveOverlay(p, s.Overlay);
        System.Console.WriteLine($"{s.Image}: {p.Width}×{p.Height}, {p.PetFraction:P1} pet → {s.Out}{(s.Overlay is null ? "" : $", {s.Overlay}")} ({info.Model.Architecture}, epoch {info.Epoch})");
        return Task.FromResult(0);
    }
}
