using System.IO.Hashing;
using System.Text;
using PetSeg.Data.Cache;

namespace PetSeg.Data.Splits;

/// <summary>
/// K-fold cross-validation (<c>folds: 5</c>): trainval cut into K folds, each held out in turn while the other K − 1
/// train, so every image is validated on exactly once and the K validation scores average into one estimate that no
/// single held-out part decides. As <see cref="ValidationSplit"/>, it depends on the files' names only: stratified by
/// breed (scikit-learn's <c>StratifiedKFold</c> with the breed as the class), within a breed ordered by a salted hash of
/// each name, and dealt to the folds in turn, so the folds' sizes differ by one at most and so do each breed's shares.
/// By group (<c>split_by: group</c>) whole groups go to the fold holding the fewest images so far, largest group first,
/// as scikit-learn's <c>GroupKFold</c> deals them.
/// </summary>
public static class CrossValidationFolds
{
    /// <summary>The most folds accepted: beyond it each fold is a sliver and the runs K times the work.</summary>
    public const int MaxFolds = 20;

    /// <summary>Each name's fold, 1 … <paramref name="folds"/>.</summary>
    public static int[] Of(IReadOnlyList<string> stems, int folds, bool byGroup = false)
    {
        if (folds is < 2 or > MaxFolds) throw new ArgumentOutOfRangeException(nameof(folds), $"cross-validation takes 2 to {MaxFolds} folds, not {folds}");
        if (stems.Count < folds)
            throw new Core.ConfigException($"folds: {folds} holds out a fold of at least one image each, and the trainval split has {stems.Count} image(s): use {Math.Max(2, stems.Count)} fold(s) at most");
        var fold = new int[stems.Count];
        if (byGroup)
        {
            var groups = Enumerable.Range(0, stems.Count).GroupBy(i => WholeGroups.Of(stems[i]), StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => Hash(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (groups.Count < folds)
                throw new Core.ConfigException($"folds: {folds} holds out whole groups (split_by: group), and the trainval split has {groups.Count} group(s): use {Math.Max(2, groups.Count)} fold(s) at most, or split by image");
            var sizes = new int[folds];
            foreach (var g in groups)
            {
                int lightest = Array.IndexOf(sizes, sizes.Min());
                sizes[lightest] += g.Count();
                foreach (var i in g) fold[i] = lightest + 1;
            }
            return fold;
        }
        var dealt = Enumerable.Range(0, stems.Count).GroupBy(i => ValidationSplit.Breed(stems[i]), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(i => Hash(stems[i])).ThenBy(i => stems[i], StringComparer.Ordinal));
        int n = 0;
        foreach (var i in dealt) fold[i] = n++ % folds + 1;
        return fold;
    }

    /// <summary>Indices into <paramref name="stems"/> to train on (every other fold) and to validate on (fold <paramref name="fold"/>), each ascending.</summary>
    public static (int[] Train, int[] Validation) Split(IReadOnlyList<string> stems, int folds, int fold, bool byGroup = false)
    {
        if (fold < 1 || fold > folds) throw new ArgumentOutOfRangeException(nameof(fold), $"fold {fold} of {folds}: folds are numbered 1 to {folds}");
        var of = Of(stems, folds, byGroup);
        return ([.. Enumerable.Range(0, stems.Count).Where(i => of[i] != fold)], [.. Enumerable.Range(0, stems.Count).Where(i => of[i] == fold)]);
    }

    /// <summary>A set's samples to train on and to validate on; a cache of tiles keeps each image's tiles in one fold.</summary>
    public static (ISampleSet Train, ISampleSet Validation) Apply(ISampleSet set, int folds, int fold, bool byGroup = false) =>
        ValidationSplit.ByImage(set, stems => Split(stems, folds, fold, byGroup));

    // Salted apart from the validation split's, so a fold is not simply the images a fraction would hold out first.
    private static ulong Hash(string name) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("petseg-fold/" + name));
}
