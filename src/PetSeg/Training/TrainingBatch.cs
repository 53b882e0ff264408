using PetSeg.Data.Cache;
using PetSeg.Compute;
using PetSeg.Models.Input;
using PetSeg.Training.Augmentation;
using static TorchSharp.torch;

namespace PetSeg.Training;

/// <summary>
/// One training batch as a run feeds it (the trainer, the range test): uint8 samples from the cache onto the device,
/// augmented with the epoch's draws, normalised. Call it inside the step's dispose scope.
/// </summary>
public static class TrainingBatch
{
    /// <returns>The model's input (N×3×H×W float32) and the targets (N×H×W, 255 = ignored).</returns>
    public static (Tensor Input, Tensor Masks) Load(ISampleSet set, ReadOnlySpan<int> indices, Device device, BatchAugmenter? augmenter, Random augmentationDraws)
    {
        var (images, masks) = DeviceTransfer.ToDevice(set.ReadBatch(indices), device);
        if (augmenter is not null)
            (images, masks) = BatchAugmenter.Apply(images, masks, augmenter.Draw(augmentationDraws, indices.Length, set.Width, set.Height));
        return (ImageNetNormalize.Apply(images), masks);
    }
}
