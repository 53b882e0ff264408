namespace PetSeg.Training.Memory;

/// <summary>
/// What a training step at <see cref="Batch"/> images will take at least, measured on this machine by
/// <see cref="MemoryProbe"/>: the process's peak resident size at <see cref="MeasuredBatch"/>, and beyond it the line
/// through the last two measurements. A step's peak is the largest of (what does not grow with the batch + the batch
/// times what does) over the step's moments, so it is convex in the batch size and that line stays below it, up to
/// the measurements' noise (a third at most, seen at 512²): a need well beyond the memory left is certain, not a guess.
/// </summary>
/// <param name="PeakBytes">The peak resident size at <see cref="Batch"/>: measured, or the lower bound above.</param>
/// <param name="PerImageBytes">The last measured growth per image of the batch.</param>
public sealed record MemoryNeed(int Batch, long PeakBytes, int MeasuredBatch, long PerImageBytes)
{
    /// <summary>Whether <see cref="PeakBytes"/> was measured at the batch itself rather than extrapolated.</summary>
    public bool Measured => MeasuredBatch >= Batch;

    /// <summary>
    /// The largest batch whose lower bound stays within <paramref name="peak"/> bytes: no larger batch can fit (below the
    /// measured batch nothing is known, so one less than it where even that does not fit).
    /// </summary>
    public int LargestBatchWithin(long peak)
    {
        long atMeasured = PeakBytes - PerImageBytes * (Batch - MeasuredBatch);
        if (atMeasured > peak) return MeasuredBatch - 1;
        return PerImageBytes <= 0 ? int.MaxValue : (int)Math.Min(int.MaxValue, MeasuredBatch + (peak - atMeasured) / PerImageBytes);
    }
}
