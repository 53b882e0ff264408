using PetSeg.IO;
using static TorchSharp.torch;

namespace PetSeg.Training.Checkpoints;

/// <summary>
/// The disk a run's checkpoints take, checked before its first step: a Unet's <c>last.ckpt</c> is 294 MB, and a run
/// that finds the disk full when it saves has already spent an epoch (an hour of the real lab on a CPU).
/// </summary>
public static class CheckpointSpace
{
    /// <summary>
    /// The bytes of a run's <c>last.ckpt</c>: the model's state_dict, Adam's two moments per parameter (as
    /// <see cref="TrainingCheckpoint.Save"/> writes them, in the parameters' dtype) and the moving average's state_dict.
    /// </summary>
    public static long LastCheckpointBytes(nn.Module model, bool withOptimizer, nn.Module? average) =>
        Bytes(model.state_dict().Values) + (withOptimizer ? 2 * Bytes(model.parameters()) : 0) + (average is null ? 0 : Bytes(average.state_dict().Values));

    /// <summary>
    /// Fails (<see cref="NotEnoughDiskSpaceException"/>) when <paramref name="runDir"/>'s disk cannot take the run's
    /// peak: <c>last.ckpt</c> is replaced atomically each epoch (the new beside the old), then published as its weights
    /// and its state beside it (the same bytes again); with <paramref name="keepsBest"/> the best epoch's weights
    /// likewise. What the folder holds already (a run resuming) counts as taken. The stage names the run in the message.
    /// </summary>
    public static void Ensure(string runDir, nn.Module model, bool withOptimizer, nn.Module? average, nn.Module shipped, bool keepsBest)
    {
        long checkpoint = LastCheckpointBytes(model, withOptimizer, average);
        long best = keepsBest ? Bytes(shipped.state_dict().Values) : 0;
        long there = SizeOf(Path.Combine(runDir, "last.ckpt")) + (keepsBest ? SizeOf(Path.Combine(runDir, "best.safetensors")) : 0);
        DiskSpace.Ensure(runDir, 2 * checkpoint + 2 * best - there, "the training",
            $"its checkpoint, last.ckpt, is {DiskSpace.Size(checkpoint)}{(withOptimizer ? " with Adam's moments" : "")}; each save writes the new one beside the old before replacing it, and it is published as a copy" +
            (keepsBest ? $"; the best epoch's weights ({DiskSpace.Size(best)}) likewise" : ""));
    }

    /// <summary>The bytes of the tensors' elements (a state_dict's, a model's parameters).</summary>
    public static long Bytes(IEnumerable<Tensor> tensors) => tensors.Sum(t => t.NumberOfElements * t.ElementSize);

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
