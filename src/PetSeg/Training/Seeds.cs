namespace PetSeg.Training;

/// <summary>Per-run seeds derived from the run seed, so each epoch can be replayed on its own (resume needs no RNG state).</summary>
public static class Seeds
{
    public static long ForEpoch(long seed, int epoch, int stream) =>
        (long)(System.IO.Hashing.XxHash64.HashToUInt64(BitConverter.GetBytes(seed).Concat(BitConverter.GetBytes(epoch)).Concat(BitConverter.GetBytes(stream)).ToArray()) >> 2);

    public static Random Random(long seed, int epoch, int stream) => new((int)(ForEpoch(seed, epoch, stream) & int.MaxValue));

    /// <summary>
    /// What epoch <paramref name="epoch"/> draws, from (seed, epoch) alone: torch's generator reseeded (dropout,
    /// drop-path), the order of the samples, and the augmentation's generator. The trainer and the range test draw alike.
    /// </summary>
    public static (int[] Order, Random Augmentation) StartEpoch(long seed, int epoch, int samples)
    {
        TorchSharp.torch.manual_seed(ForEpoch(seed, epoch, 0));
        var order = Enumerable.Range(0, samples).ToArray();
        Random(seed, epoch, 1).Shuffle(order);
        return (order, Random(seed, epoch, 2));
    }
}
