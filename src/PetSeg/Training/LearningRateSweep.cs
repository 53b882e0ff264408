namespace PetSeg.Training;

/// <summary>What a range test measured: each step's rate, loss and smoothed loss, the suggested step, why it stopped.</summary>
public sealed record LearningRateSweep(IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, IReadOnlyList<double> Smoothed, int? Suggested, string Stopped)
{
    public double? SuggestedRate => Suggested is { } i ? Rates[i] : null;
}
