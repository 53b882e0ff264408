namespace PetSeg.Training;

/// <summary>Per-run seeds derived from the run seed, so each epoch can be replayed on its own (resume needs no RNG state).</summary>
public static class Seeds
{
    public static long ForEpoch(long seed, int epoch, int stream) =>
        (long)(System.IO.Hashing.XxHash64.HashToUInt64(BitConverter.GetBytes(seed).Concat(BitConverter.GetBytes(epoch)).Concat(BitConverter.GetBytes(stream)).ToArray()) >> 2);

    public static Random Random(long seed, int epoch, int stream) => new((int)(ForEpoch(seed, epoch, stream) & int.MaxValue));
}
