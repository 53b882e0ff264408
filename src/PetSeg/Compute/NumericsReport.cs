namespace PetSeg.Compute;

/// <summary>The self-check of one kernel path (or of an accelerator's kernels): every case, and how long it took.</summary>
public sealed record NumericsReport(KernelPath Path, IReadOnlyList<NumericsCheckResult> Results, TimeSpan Duration)
{
    /// <summary>The accelerator checked, e.g. <c>cuda:0 (cuDNN/cuBLAS, TF32)</c>; null for the CPU's <see cref="Path"/>.</summary>
    public string? Accelerator { get; init; }

    /// <summary>What was checked, for a heading: the CPU's kernel path or the accelerator.</summary>
    public string Title => Accelerator ?? $"kernel path: {Path.Name()}";

    public bool Passed => Results.All(r => r.Passed);

    public IEnumerable<NumericsCheckResult> Failures => Results.Where(r => !r.Passed);

    /// <summary>The largest error as a fraction of its tolerance (NaN when a result was not finite).</summary>
    public double WorstFraction => Results.Select(r => r.Worst / r.Tolerance).Aggregate(0.0, (a, b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b));

    /// <summary>One line naming the failing cases, e.g. "conv3x3 16→2 fp32 (1 thread): input gradient 0.93; …".</summary>
    public string DescribeFailures(int max = 3)
    {
        var failed = Failures.ToList();
        var shown = failed.Take(max).Select(r => $"{r.Name} {r.Precision} ({r.Where}): {r.Failure}");
        return string.Join("; ", shown) + (failed.Count > max ? $"; and {failed.Count - max} more" : "");
    }
}
