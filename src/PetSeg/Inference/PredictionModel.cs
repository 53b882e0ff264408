using PetSeg.Core;
using PetSeg.Models;
using PetSeg.Models.Weights;
using PetSeg.Training.Checkpoints;
using static TorchSharp.torch;

namespace PetSeg.Inference;

/// <summary>
/// A model to predict with, read from a file: our checkpoint, which names its architecture and training size, or plain
/// PyTorch weights — a state_dict saved by <c>torch.save</c> (zip or legacy .pth) or as safetensors, such as the lab's
/// own models trained in Python or <c>petseg export --format pth</c> — whose architecture the caller names, since the
/// file does not say. Plain weights load strictly (every key, every shape), converting dtypes (fp16 files included).
/// </summary>
/// <param name="Origin">What the weights are, for messages: "epoch 3" or "PyTorch weights (zip .pth)".</param>
public sealed record PredictionModel(nn.Module<Tensor, Tensor> Model, ModelSpec Spec, string Origin) : IDisposable
{
    /// <summary>The input size of plain weights when none is given: the lab's.</summary>
    public const int DefaultImageSize = 224;

    /// <param name="architecture">Required for plain weights (one of <see cref="ModelZoo.Architectures"/>); for our
    /// checkpoint, checked against the one it names.</param>
    /// <param name="imageSize">Plain weights: the size the model was trained at (SimpleViT is built for it).</param>
    public static PredictionModel Load(string path, string? architecture = null, int? imageSize = null)
    {
        path = TrainingCheckpoint.Locate(path);
        if (architecture is not null && !ModelZoo.Architectures.Contains(architecture))
            throw new PetSegException($"--model {architecture}: not an architecture{ClosestName.Suggestion(architecture, ModelZoo.Architectures)}; one of {string.Join(", ", ModelZoo.Architectures)}");
        var format = PyTorchCheckpoint.Detect(path);
        if (format == CheckpointFormat.Safetensors && SafetensorsFile.ReadMetadata(path).ContainsKey("petseg"))
        {
            var (model, info) = TrainingCheckpoint.LoadModel(path);
            if (architecture is not null && architecture != info.Model.Architecture)
            {
                model.Dispose();
                throw new CheckpointMismatchException($"{path} holds a {info.Model.Architecture} (its checkpoint says so), not a {architecture}: leave out --model");
            }
            return new PredictionModel(model, info.Model, $"epoch {info.Epoch}");
        }
        var kind = format switch { CheckpointFormat.Zip => "zip .pth", CheckpointFormat.Legacy => "legacy .pth", _ => "safetensors" };
        if (architecture is null)
            throw new CheckpointMismatchException($"{path} holds plain PyTorch weights ({kind}), which do not say what model they are: " +
                $"name it with --model (one of {string.Join(", ", ModelZoo.Architectures)}){(imageSize is null ? $" and, when it was not trained at {DefaultImageSize}², --size" : "")}");
        var spec = new ModelSpec(architecture, ImageSize: imageSize ?? DefaultImageSize);
        var state = PyTorchCheckpoint.Load(path);
        nn.Module<Tensor, Tensor>? plain = null;
        try
        {
            plain = ModelZoo.Create(spec);
            // A model of more classes (smp's classes=3) says so by its head: its last parameter, the head's bias.
            var (headKey, headShape) = plain.named_parameters().Select(p => (p.name, p.parameter.shape)).Last();
            if (headShape is [var modelClasses] && state.FirstOrDefault(p => p.Key == headKey).Value is { shape: [var fileClasses] }
                && fileClasses != modelClasses && fileClasses is >= 2 and < SegmentationLabels.IgnoreIndex)
            {
                plain.Dispose();
                spec = spec with { Classes = (int)fileClasses };
                plain = ModelZoo.Create(spec);
            }
            StateDictLoader.Load(plain, state, Path.GetFileName(path));
        }
        catch (WeightsMismatchException e) when (architecture == ModelZoo.SimpleVit && imageSize is null && e.Message.Contains("pos_embedding:", StringComparison.Ordinal))
        {
            plain?.Dispose();
            throw new WeightsMismatchException($"{e.Message}\n  A SimpleViT is built for the size it was trained at (one position per {spec.PatchSize}-px patch): give that size with --size.");
        }
        catch { plain?.Dispose(); throw; }
        finally { foreach (var (_, t) in state) t.Dispose(); }
        return new PredictionModel(plain, spec, $"PyTorch weights ({kind})");
    }

    public void Dispose() => Model.Dispose();
}
