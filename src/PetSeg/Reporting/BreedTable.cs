using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PetSeg.Reporting;

/// <summary>
/// Which breeds the models find hard: each experiment's mean per-image IoU over the test images of every breed (the
/// name before its number, <c>Bombay_12</c> → <c>Bombay</c>), hardest first by the mean over experiments, each
/// experiment's hardest breed in bold. The headline mean pools every pixel, so a breed the models fail on (a black cat
/// on a dark cushion) hides in it. Empty when the names carry no breeds (each its own, or one for all).
/// </summary>
public static partial class BreedTable
{
    /// <param name="perImage">Each experiment's per-image IoU (its first run's), in the report's order.</param>
    public static string Render(IReadOnlyList<(string Experiment, IReadOnlyList<ImageIoU> Images)> perImage)
    {
        if (perImage.Count == 0) return "";
        var breeds = perImage.Select(e => e.Images.Where(i => i.IoU is not null).GroupBy(i => BreedOf(i.Stem), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Mean: g.Average(i => i.IoU!.Value), Count: g.Count()), StringComparer.Ordinal)).ToList();
        var names = breeds.SelectMany(b => b.Keys).Distinct(StringComparer.Ordinal).ToList();
        int images = perImage[0].Images.Count;
        if (names.Count < 2 || names.Count * 2 > images) return ""; // no breeds in the names: every image its own, or too few to average
        double Of(int e, string breed) => breeds[e].TryGetValue(breed, out var v) ? v.Mean : double.NaN;
        var rows = names.Select(n => (Breed: n, Mean: Mean(Enumerable.Range(0, perImage.Count).Select(e => Of(e, n))),
                                      Count: breeds.Max(b => b.TryGetValue(n, out var v) ? v.Count : 0)))
            .OrderBy(r => r.Mean).ThenBy(r => r.Breed, StringComparer.Ordinal).ToList();
        var hardest = Enumerable.Range(0, perImage.Count).Select(e => names.Where(n => !double.IsNaN(Of(e, n))).MinBy(n => Of(e, n))).ToList();

        var sb = new StringBuilder("## Per breed\n\n");
        sb.Append("Each experiment's mean per-image IoU over the test images of each breed (its first run), hardest breed first by ")
          .Append("the mean over the experiments; **bold**: each experiment's hardest breed. The headline figures pool every pixel, ")
          .Append("so a breed the models fail on hides in them.\n\n");
        sb.Append("| Breed | test images | all experiments |");
        foreach (var (experiment, _) in perImage) sb.Append(' ').Append(experiment).Append(" |");
        sb.Append("\n|:--|--:|--:|").Append(string.Concat(Enumerable.Repeat("--:|", perImage.Count))).Append('\n');
        foreach (var r in rows)
        {
            sb.Append("| ").Append(r.Breed).Append(" | ").Append(r.Count.ToString(CultureInfo.InvariantCulture)).Append(" | ").Append(F(r.Mean)).Append(" |");
            for (int e = 0; e < perImage.Count; e++)
                sb.Append(' ').Append(hardest[e] == r.Breed ? $"**{F(Of(e, r.Breed))}**" : F(Of(e, r.Breed))).Append(" |");
            sb.Append('\n');
        }
        return sb.Append('\n').ToString();
    }

    /// <summary>The breed of a per-image entry's name: its stem's (a tile's name is its image's stem and its place).</summary>
    public static string BreedOf(string name) => Data.Splits.ValidationSplit.Breed(TileSuffix().Replace(name, ""));

    private static double Mean(IEnumerable<double> values)
    {
        var valid = values.Where(v => !double.IsNaN(v)).ToList();
        return valid.Count == 0 ? double.NaN : valid.Average();
    }

    private static string F(double v) => double.IsNaN(v) ? PipeTable.NotAvailable : v.ToString("0.0000", CultureInfo.InvariantCulture);

    [GeneratedRegex(@" \(tile \d+,\d+\)$")]
    private static partial Regex TileSuffix();
}
