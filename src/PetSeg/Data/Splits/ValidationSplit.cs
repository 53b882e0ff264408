using System.IO.Hashing;
using System.Text;
using PetSeg.Data.Cache;

namespace PetSeg.Data.Splits;

/// <summary>
/// Holds a fraction of a training split out for validation, so a choice among runs (a matrix's best row) is made on
/// images no run trained on and the test split stays for the one final figure. Stratified by breed (the stem before
/// its last <c>_</c>: <c>Abyssinian_100</c> → <c>Abyssinian</c>), and within a breed by a fixed hash of each stem, so
/// the split depends on the files' names only: not on their order, not on a seed, the same on every machine. A breed's
/// share is rounded by largest remainder, so the held-out count is round(fraction × n) exactly.
/// </summary>
public static class ValidationSplit
{
    /// <summary>The largest fraction accepted: beyond it a model trains on less than it is checked on.</summary>
    public const double MaxFraction = 0.5;

    /// <summary>Indices into <paramref name="stems"/> to train on and to validate on, each ascending.</summary>
    /// <param name="byGroup">Hold out whole groups (<see cref="WholeGroups"/>) rather than stratify by them: a dataset
    /// whose test split holds out whole subjects (<c>split_by: group</c>) validates the same way.</param>
    public static (int[] Train, int[] Validation) Of(IReadOnlyList<string> stems, double fraction, bool byGroup = false)
    {
        if (fraction is < 0 or > MaxFraction || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"a validation fraction is between 0 and {MaxFraction}, not {fraction}");
        int total = HeldOutCount(stems.Count, fraction);
        if (total == 0) return ([.. Enumerable.Range(0, stems.Count)], []);
        if (byGroup)
        {
            var whole = WholeGroups.HeldOut(stems, fraction * stems.Count, "petseg-validation-group")
                ?? throw new Core.ConfigException($"validation: {fraction} holds out whole groups (split_by: group), and the trainval split has one group " +
                                                      $"('{WholeGroups.Of(stems[0])}'): hold out none (validation: 0) or split by image");
            var wholeSet = whole.ToHashSet();
            return ([.. Enumerable.Range(0, stems.Count).Where(i => !wholeSet.Contains(i))], whole);
        }

        var breeds = Enumerable.Range(0, stems.Count).GroupBy(i => Breed(stems[i]), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, Members: g.OrderBy(i => Hash(stems[i])).ThenBy(i => stems[i], StringComparer.Ordinal).ToList(), Share: fraction * g.Count()))
            .ToList();
        var take = breeds.Select(b => (int)Math.Floor(b.Share)).ToArray();
        var byRemainder = Enumerable.Range(0, breeds.Count).OrderByDescending(i => breeds[i].Share - take[i])
            .ThenBy(i => Hash(breeds[i].Key)).ThenBy(i => i).ToList(); // ties (names without a breed: one each) by hash, not by name
        for (int k = 0, left = total - take.Sum(); left > 0; k = (k + 1) % byRemainder.Count)
            if (take[byRemainder[k]] < breeds[byRemainder[k]].Members.Count) { take[byRemainder[k]]++; left--; }
        var validation = breeds.SelectMany((b, i) => b.Members.Take(take[i])).Order().ToArray();
        var held = validation.ToHashSet();
        return ([.. Enumerable.Range(0, stems.Count).Where(i => !held.Contains(i))], validation);
    }

    /// <summary>How many of <paramref name="count"/> images a fraction holds out: rounded, but at least one and never all.</summary>
    public static int HeldOutCount(int count, double fraction)
    {
        int total = (int)Math.Round(fraction * count, MidpointRounding.AwayFromZero);
        return fraction > 0 && count >= 2 ? Math.Clamp(total, 1, count - 1) : total;
    }

    /// <summary>
    /// A set's samples to train on and to validate on (views of it, by <see cref="Of"/>). The split is of images: a
    /// cache of tiles (several samples to a stem) keeps each image's tiles together, so no image is seen on both sides.
    /// </summary>
    public static (ISampleSet Train, ISampleSet Validation) Apply(ISampleSet set, double fraction, bool byGroup = false) =>
        ByImage(set, stems => Of(stems, fraction, byGroup));

    /// <summary>A split of a set's images (<paramref name="split"/> of its distinct stems) applied to its samples, each image's tiles on one side.</summary>
    internal static (ISampleSet Train, ISampleSet Validation) ByImage(ISampleSet set, Func<IReadOnlyList<string>, (int[] Train, int[] Validation)> split)
    {
        var stems = set.Entries.Select(e => e.Stem).Distinct(StringComparer.Ordinal).ToList();
        var (train, validation) = split(stems);
        if (stems.Count == set.Count) return (new SampleSubset(set, train), new SampleSubset(set, validation));
        var held = validation.Select(i => stems[i]).ToHashSet(StringComparer.Ordinal);
        var samples = Enumerable.Range(0, set.Count).ToLookup(i => held.Contains(set.Entries[i].Stem));
        return (new SampleSubset(set, [.. samples[false]]), new SampleSubset(set, [.. samples[true]]));
    }

    /// <summary>The breed a stem names: Oxford-IIIT Pet's (and the synthetic pets') stems are <c>&lt;breed&gt;_&lt;n&gt;</c>.</summary>
    public static string Breed(string stem)
    {
        int cut = stem.LastIndexOf('_');
        return cut > 0 && cut < stem.Length - 1 && stem.AsSpan(cut + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? stem[..cut] : stem;
    }

    // Salted so the held-out images are not simply the ones that sort first by any other hash of their names.
    private static ulong Hash(string stem) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("petseg-validation/" + stem));
}
