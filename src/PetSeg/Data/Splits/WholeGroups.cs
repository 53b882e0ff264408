using System.IO.Hashing;
using System.Text;

namespace PetSeg.Data.Splits;

/// <summary>
/// Holding out whole groups of images rather than images one by one (a patient's slices, a video's frames, one animal's
/// photos), so no subject is on both sides of a split and the held-out figure is not flattered by near-copies. A group
/// is a name before its last <c>_&lt;number&gt;</c> (<see cref="ValidationSplit.Breed"/>: <c>patient12_3</c> → <c>patient12</c>).
/// </summary>
public static class WholeGroups
{
    public static string Of(string name) => ValidationSplit.Breed(name);

    /// <summary>
    /// The indices of the names held out: groups ordered by a salted XxHash64 of their names, taken while that brings the
    /// count nearer <paramref name="target"/>; at least one group out and one left. Ascending.
    /// </summary>
    /// <param name="salt">Which split this is, so the test and validation splits do not take the same groups first.</param>
    /// <returns>Null where there is one group only: nothing whole can be held out.</returns>
    public static int[]? HeldOut(IReadOnlyList<string> names, double target, string salt)
    {
        var groups = Enumerable.Range(0, names.Count).GroupBy(i => Of(names[i]), StringComparer.Ordinal)
            .OrderBy(g => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(salt + "/" + g.Key))).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (groups.Count < 2) return null;
        var held = new List<int>();
        foreach (var g in groups.Take(groups.Count - 1))
        {
            if (held.Count > 0 && Math.Abs(held.Count + g.Count() - target) > Math.Abs(held.Count - target)) break; // the nearer of the two counts
            held.AddRange(g);
        }
        return [.. held.Order()];
    }
}
