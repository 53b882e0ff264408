using static TorchSharp.torch;

namespace PetSeg.Training;

/// <param name="BatchLosses">Per epoch, every batch's mean loss in training order (what the report smooths).</param>
public sealed record TrainResult(nn.Module<Tensor, Tensor> Model, IReadOnlyList<double> EpochLosses, IReadOnlyList<IReadOnlyList<double>> BatchLosses,
    int ResumedFromEpoch, TimeSpan Duration)
{
    /// <summary>Each epoch's mean IoU on the images held out of training, when the trainer was given them (<see cref="Trainer.Validate"/>).</summary>
    public IReadOnlyList<double>? ValidationMeanIoU { get; init; }

    /// <summary>With <see cref="Trainer.KeepBest"/>: the epoch (1-based) whose weights <see cref="Trainer.BestPath"/> holds.</summary>
    public int? BestEpoch { get; init; }
}
