namespace PetSeg.Core;

/// <summary>
/// The known name a mistyped one most likely meant (<c>--exlcusive</c> → <c>exclusive</c>, <c>experimets:</c> →
/// <c>experiments</c>, <c>train-unet-bas</c> → <c>train-unet-base</c>), for error messages that say what to type.
/// </summary>
public static class ClosestName
{
    /// <summary>The closest of <paramref name="known"/> within a third of the name's length (at least 2 edits), or null.</summary>
    public static string? Find(string unknown, IEnumerable<string> known)
    {
        var best = known.Select(k => (Name: k, Distance: Distance(unknown, k))).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, unknown.Length / 3) ? best.Name : null;
    }

    /// <summary>" (did you mean 'x'?)" or "" (for appending to a message).</summary>
    public static string Suggestion(string unknown, IEnumerable<string> known, string quote = "'") =>
        Find(unknown, known) is { } closest ? $" (did you mean {quote}{closest}{quote}?)" : "";

    /// <summary>Optimal string alignment distance: a swapped pair of letters (exlcusive) counts once.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
