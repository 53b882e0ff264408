using PetSeg.Models;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Optim;

namespace PetSeg.Training;

/// <summary>Everything that determines a training run's result; its digest keys the run and guards resumption.</summary>
/// <param name="EncoderWeights">ImageNet encoder file for Unet/Segformer, or null to start from smp's random init.</param>
/// <param name="Augmentation">null = the lab's base transform (normalize only).</param>
public sealed record TrainSettings(
    ModelSpec Model,
    AdamSettings Optimizer,
    int Epochs,
    int BatchSize = 16,
    AugmentationSettings? Augmentation = null,
    long Seed = 42,
    string? EncoderWeights = null,
    int? MaxTrainSamples = null,
    Precision Precision = Precision.Fp32);

/// <summary>fp32 reproduces the lab; bf16 trains a bfloat16 copy with fp32 master weights (faster on AMX/AVX512-BF16 CPUs, not bit-comparable).</summary>
public enum Precision { Fp32, Bf16 }

/// <summary>Per-run seeds derived from the run seed, so each epoch can be replayed on its own (resume needs no RNG state).</summary>
public static class Seeds
{
    public static long ForEpoch(long seed, int epoch, int stream) =>
        (long)(System.IO.Hashing.XxHash64.HashToUInt64(BitConverter.GetBytes(seed).Concat(BitConverter.GetBytes(epoch)).Concat(BitConverter.GetBytes(stream)).ToArray()) >> 2);

    public static Random Random(long seed, int epoch, int stream) => new((int)(ForEpoch(seed, epoch, stream) & int.MaxValue));
}
