using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Models.Smp;
using PetSeg.Training.Optim;
using static TorchSharp.torch;

namespace PetSeg.Training;

/// <summary>
/// Pretrains an encoder where its ImageNet weights cannot be had: the smp model built on it trains from random
/// initialisation on a segmentation set with the lab's trainer, and the encoder's state_dict is kept (keys as in an
/// ImageNet file, without <c>num_batches_tracked</c>). Deterministic from the data and settings, like any training.
/// </summary>
public static class EncoderPretraining
{
    /// <returns>Copies of the encoder's tensors, in the caller's dispose scope (the trained model is disposed here).</returns>
    public static List<KeyValuePair<string, Tensor>> Run(string encoder, TensorCache data, int epochs, double lr, int batchSize, int seed,
        string runDir, IProgressSink ui, CancellationToken ct = default, Device? device = null)
    {
        var settings = new TrainSettings(new ModelSpec(ModelZoo.ArchitectureWith(encoder), ImageSize: data.Width), new AdamSettings(lr), epochs,
            batchSize, Seed: seed);
        var result = new Trainer(settings, runDir, ui, $"pretraining {encoder}", device).Run(data, $"pretrain {encoder} {epochs} {lr} {batchSize} {seed}", ct);
        using var model = result.Model;
        var smp = (SmpSegmentationModel)model;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope(); // keeps each detached view referenced until it is cloned
        return smp.Encoder.state_dict()
            .Where(p => !p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value.detach().cpu().clone().MoveToOuterDisposeScope()))
            .ToList();
    }
}
