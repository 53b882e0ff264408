namespace PetSeg.Reporting.Statistics;

/// <summary>
/// The mean of a metric over seeds with its 95 % confidence half-width, t(0.975, n−1)·s/√n (s the sample standard
/// deviation); no half-width below two values. Applied to paired differences it says whether a variant's difference
/// is larger than what another seed does.
/// </summary>
public sealed record SeedInterval(double Mean, double? HalfWidth, int N)
{
    public static SeedInterval Of(IReadOnlyList<double> values)
    {
        var valid = values.Where(v => !double.IsNaN(v)).ToList();
        if (valid.Count == 0) return new SeedInterval(double.NaN, null, 0);
        var mean = valid.Average();
        if (valid.Count < 2) return new SeedInterval(mean, null, valid.Count);
        var sd = Math.Sqrt(valid.Sum(v => (v - mean) * (v - mean)) / (valid.Count - 1));
        return new SeedInterval(mean, StudentT.Quantile(0.975, valid.Count - 1) * sd / Math.Sqrt(valid.Count), valid.Count);
    }

    /// <summary>The interval lies entirely on one side of zero.</summary>
    public bool ExcludesZero => HalfWidth is { } h && Math.Abs(Mean) > h;
}
