using PetSeg.Models;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Losses;
using PetSeg.Training.Optim;

namespace PetSeg.Training;

/// <summary>Everything that determines a training run's result; its digest keys the run and guards resumption.</summary>
/// <param name="EncoderWeights">ImageNet encoder file for Unet/Segformer, or null to start from smp's random init.</param>
/// <param name="Augmentation">null = the lab's base transform (normalize only).</param>
/// <param name="Schedule">How the learning rate changes per epoch; null = constant (the lab).</param>
/// <param name="GradClip">The gradients' global 2-norm is clipped to this before each update; null = not clipped (the lab).</param>
/// <param name="Ema">The decay of an exponential moving average of the weights, which the run validates and publishes
/// (<see cref="ExponentialMovingAverage"/>); null = the trained weights themselves (the lab).</param>
/// <param name="Loss">What the training minimises; null = the lab's cross-entropy.</param>
/// <param name="ClassWeights">How much each class's pixels weigh in the cross-entropy; null = equally (the lab).</param>
public sealed record TrainSettings(
    ModelSpec Model,
    AdamSettings Optimizer,
    int Epochs,
    int BatchSize = 16,
    AugmentationSettings? Augmentation = null,
    long Seed = 42,
    string? EncoderWeights = null,
    int? MaxTrainSamples = null,
    Precision Precision = Precision.Fp32,
    LrSchedule? Schedule = null,
    double? GradClip = null,
    double? Ema = null,
    SegmentationLoss? Loss = null,
    ClassWeights? ClassWeights = null)
{
    /// <summary>The loss the steps minimise: <see cref="Loss"/>, or the lab's cross-entropy.</summary>
    public SegmentationLoss Objective => Loss ?? SegmentationLoss.CrossEntropy;

    /// <summary>The learning rate of epoch <paramref name="epoch"/> (0-based).</summary>
    public double LearningRateAt(int epoch) => Schedule?.At(epoch, Epochs, Optimizer.LearningRate) ?? Optimizer.LearningRate;
}
