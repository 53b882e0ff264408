namespace PetSeg.Compute;

/// <summary>
/// One computation of the self-check at one thread count: the worst element's error relative to the largest
/// reference element, for the forward result and the input and weight gradients (NaN where the backend produced a
/// non-finite value), against <see cref="Tolerance"/>.
/// </summary>
public sealed record NumericsCheckResult(string Name, string Precision, int Threads, double Forward, double InputGradient, double WeightGradient, double Tolerance)
{
    public double Milliseconds { get; init; }

    /// <summary>The accelerator this ran on (e.g. <c>cuda:0</c>), or null on the CPU, where <see cref="Threads"/> says how it ran.</summary>
    public string? Device { get; init; }

    /// <summary>Where it ran: "1 thread", "2 threads" or the device.</summary>
    public string Where => Device ?? $"{Threads} thread{(Threads == 1 ? "" : "s")}";

    public double Worst => new[] { Forward, InputGradient, WeightGradient }.Any(double.IsNaN) ? double.NaN : Math.Max(Forward, Math.Max(InputGradient, WeightGradient));

    public bool Passed => Worst <= Tolerance; // NaN fails

    /// <summary>Which of the three went wrong, e.g. "input gradient 0.93".</summary>
    public string Failure => string.Join(", ", new[] { ("forward", Forward), ("input gradient", InputGradient), ("weight gradient", WeightGradient) }
        .Where(p => !(p.Item2 <= Tolerance)).Select(p => $"{p.Item1} {Format(p.Item2)}"));

    public static string Format(double error) => double.IsNaN(error) ? "NaN" : error.ToString("0.###E+0", System.Globalization.CultureInfo.InvariantCulture);
}
