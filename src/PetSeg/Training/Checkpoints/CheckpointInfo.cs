using System.Text.Json.Serialization;
using PetSeg.Models;

namespace PetSeg.Training.Checkpoints;

/// <summary>What a checkpoint says about itself (stored as JSON in the safetensors header).</summary>
/// <param name="Epoch">Number of completed epochs.</param>
/// <param name="ConfigDigest">Digest of the resolved training config: a checkpoint resumes only the run it came from.</param>
/// <param name="EpochLosses">Train loss of each completed epoch, so a resumed run reports the whole curve.</param>
/// <param name="BatchLosses">Each completed epoch's per-batch losses (null in checkpoints written before they were kept).</param>
/// <param name="Partial">A run stopped within epoch <see cref="Epoch"/> + 1: how far it got (null: it stopped between epochs).</param>
/// <param name="ValidationMeanIoU">Each completed epoch's mean IoU on the images held out of training (null: none were; left out of
/// the header then, so the weights of a run without them keep their bytes).</param>
/// <param name="Ema">The decay of the weights' moving average the checkpoint also holds (under <c>ema/</c> in a run's
/// checkpoint; the published weights are the average). Null: none, and left out of the header.</param>
public sealed record CheckpointInfo(ModelSpec Model, int Epoch, string ConfigDigest, long OptimizerStep, IReadOnlyList<double> EpochLosses, string Format = CheckpointInfo.CurrentFormat,
    IReadOnlyList<IReadOnlyList<double>>? BatchLosses = null, PartialEpoch? Partial = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<double>? ValidationMeanIoU = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Ema = null)
{
    public const string CurrentFormat = "petseg-checkpoint-1";
}
