namespace PetSeg.Compute;

/// <summary>What computed a result: recorded in entry.json, pipeline.lock, <c>exp show</c> and the report.</summary>
/// <param name="Verdict">"passed", "failed", or "unchecked" (numerics: off).</param>
/// <param name="Device">"cpu", "cuda:0", …; null in entries written before devices were recorded (they ran on the CPU).</param>
/// <param name="Libtorch">The libtorch that computed it (<see cref="LibTorchFolder.Describe"/>); null in entries written before it was recorded.</param>
/// <param name="Threads">libtorch's CPU threads: on the CPU a thread count changes float rounding, so bits are compared on as many; null in entries written before it was recorded.</param>
public sealed record ComputeRecord(string Cpu, string Backend, string Verdict, string? Device = null, string? Libtorch = null, int? Threads = null)
{
    /// <summary>
    /// What differs between where this result was computed and <paramref name="other"/>, for a person ("threads 16, here 2"):
    /// each a reason for other float rounding. A field one of them did not record is not compared.
    /// </summary>
    public IReadOnlyList<string> DifferencesFrom(ComputeRecord other)
    {
        var found = new List<string>();
        void Compare(string what, string? mine, string? theirs)
        {
            if (mine is not null && theirs is not null && mine != theirs) found.Add($"{what} {mine}, here {theirs}");
        }
        Compare("device", Device ?? "cpu", other.Device ?? "cpu");
        Compare("CPU", Cpu, other.Cpu);
        Compare("threads", Threads?.ToString(System.Globalization.CultureInfo.InvariantCulture), other.Threads?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Compare("kernels", Backend, other.Backend);
        Compare("libtorch", Libtorch, other.Libtorch);
        return found;
    }
}
