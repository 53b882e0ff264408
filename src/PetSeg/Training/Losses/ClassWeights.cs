using System.Globalization;
using PetSeg.Data.Cache;

namespace PetSeg.Training.Losses;

/// <summary>
/// <c>class_weights:</c> how much each class's pixels count in the cross-entropy, as PyTorch's
/// <c>CrossEntropyLoss(weight=w, ignore_index=255)</c> weighs them: Σ w[yᵢ]·nllᵢ / Σ w[yᵢ]. Given, or <c>balanced</c>:
/// scikit-learn's <c>compute_class_weight("balanced")</c> over the training images' labelled pixels, n / (C · n_c), so a
/// thin or rare class (a border, a lesion) is not drowned by the background.
/// </summary>
public sealed record ClassWeights
{
    public const string BalancedName = "balanced";

    /// <summary>The weights by label; null for <see cref="Balanced"/>, which the training data decides.</summary>
    public IReadOnlyList<double>? Values { get; }

    private ClassWeights(IReadOnlyList<double>? values) => Values = values;

    public static readonly ClassWeights Balanced = new((IReadOnlyList<double>?)null);

    public static ClassWeights Of(IReadOnlyList<double> values)
    {
        if (values.Count < 2 || values.Any(v => !(v >= 0) || double.IsInfinity(v)) || values.All(v => v == 0))
            throw new ArgumentException("class weights are one finite, non-negative number per class, not all 0", nameof(values));
        return new ClassWeights([.. values]);
    }

    /// <summary>As the stage key and the log write it: <c>balanced</c> or <c>1,2.5,4</c>.</summary>
    public string Name => Values is { } v ? string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) : BalancedName;

    /// <summary>The weights for a training on the first <paramref name="samples"/> of <paramref name="train"/>.</summary>
    public double[] Resolve(ISampleSet train, int samples, int classes)
    {
        if (Values is { } given)
            return given.Count == classes ? [.. given] : throw new ArgumentException($"{given.Count} class weights for a model of {classes} classes");
        var counts = LabelCounts(train, samples, classes);
        double total = counts.Sum();
        // A class with no pixel is never a target: its weight changes nothing, 0 says so.
        return [.. counts.Select(n => n == 0 ? 0 : total / (classes * (double)n))];
    }

    /// <summary>How many pixels of each label the first <paramref name="samples"/> hold (ignored ones not counted).</summary>
    public static long[] LabelCounts(ISampleSet train, int samples, int classes)
    {
        var bins = new long[256];
        for (int i = 0; i < samples; i++)
            foreach (var label in train.Mask(i)) bins[label]++; // the masks only, in place: no image is read
        return bins[..classes];
    }
}
