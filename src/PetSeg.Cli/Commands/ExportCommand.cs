using System.ComponentModel;
using PetSeg.Inference;
using PetSeg.Models.Export;
using PetSeg.Models.Weights;
using PetSeg.Lab;
using PetSeg.Training.Checkpoints;
using static TorchSharp.torch;

namespace PetSeg.Cli.Commands;

[Description("Write an experiment's trained weights alone, under PyTorch's state_dict names, so model.load_state_dict(strict=True) takes them as they are; or, with --format onnx, the model as one ONNX file that runs without libtorch.")]
public sealed class ExportCommand : GuardedCommand<ExportSettings>
{
    protected override Task<int> RunAsync(ExportSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var trained = TrainedExperiment.Find(config, s.Runner(config, quiet: true), s.Experiment);
        if (trained.Chosen is { } how) System.Console.WriteLine($"export: {how}");
        var source = trained.WeightsPath;
        // A folder, as cp takes one: the file goes in it under the experiment's name.
        var target = Directory.Exists(s.Out) ? Path.Combine(s.Out, $"{trained.Run.ExperimentId}.{s.ResolvedFormat}") : s.Out;
        using var scope = NewDisposeScope();
        var weights = TrainingCheckpoint.LoadWeights(source, out var info);
        // An ONNX model computes what the experiment's evaluation computed: with its tta: unless --tta says otherwise.
        var tta = s.Tta is { } name ? TestTimeAugmentations.Parse(name) : trained.Run.Tta;
        if (s.ResolvedFormat == "onnx")
            OnnxExport.Write(info.Model, weights.ToDictionary(w => w.Key, w => w.Value, StringComparer.Ordinal), target, flipAveraged: tta == TestTimeAugmentation.HorizontalFlip,
                classNames: config.Dataset.ClassNames);
        else if (s.ResolvedFormat == "pth") PyTorchCheckpointWriter.SaveZip(target, weights, Path.GetFileNameWithoutExtension(target));
        else PyTorchCheckpointWriter.SaveSafetensors(target, weights, SafetensorsFile.ReadMetadata(source)); // what it is travels with it: predict --checkpoint needs no --model
        System.Console.WriteLine($"export: {trained.Run.Id} ({info.Model}, {info.Epoch} epoch(s), {weights.Count} tensors) → {target} ({new FileInfo(target).Length / 1048576.0:F1} MiB, {s.ResolvedFormat})");
        if (s.ResolvedFormat == "onnx")
            System.Console.WriteLine($"export: ONNX opset {OnnxGraph.Opset}: image uint8 RGB [N,3,H,W] → logits float32 [N,{info.Model.Classes},H,W], mask uint8 [N,H,W]; " +
                                     (info.Model.TileScale is { } scale
                                         ? $"trained on {info.Model.ImageSize}² tiles of images scaled by {scale.ToString(System.Globalization.CultureInfo.InvariantCulture)} (metadata petseg.image_size, petseg.tile_scale): scale each image so, cut it into tiles from its top left, padding the last ones with black, and put their masks together, as petseg predict does"
                                         : $"trained at {info.Model.ImageSize}² (metadata petseg.image_size): resize images to that, as petseg predict does") +
                                     (tta == TestTimeAugmentation.HorizontalFlip ? "; tta: hflip inside (two passes of the model per image)" : ""));
        return Task.FromResult(0);
    }
}
