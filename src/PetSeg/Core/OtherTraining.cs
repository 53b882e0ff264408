namespace PetSeg.Core;

/// <summary>
/// Another petseg training on this machine, as the memory ledger sees it now: the peak its memory check measured
/// before its first step and what it holds at present. Its own memory is already out of <c>MemAvailable</c> as far as
/// it is resident; what it has yet to take (<see cref="ToComeBytes"/>) is not, and two trainings that each checked
/// alone could otherwise both start and together run out.
/// </summary>
/// <param name="Label">What it trains, as its messages name it (the stage id).</param>
/// <param name="PeakBytes">The peak resident size its check measured; 0 for a small run that was bounded, not measured.</param>
/// <param name="ResidentBytes">Its resident size now.</param>
/// <param name="SameCgroup">Whether it is charged to this process's cgroup (a <c>--jobs</c> child, a step of the same Slurm job).</param>
public sealed record OtherTraining(int Pid, string Label, long PeakBytes, long ResidentBytes, bool SameCgroup)
{
    /// <summary>What it may still add to its resident size before its steps peak.</summary>
    public long ToComeBytes => Math.Max(0, PeakBytes - ResidentBytes);

    /// <summary>What it takes of a cap the trainings share: its peak, or more where it already holds more.</summary>
    public long ShareBytes => Math.Max(PeakBytes, ResidentBytes);

    public override string ToString() => $"pid {Pid} ({Label})";
}
