using PetSeg.Data.Imaging;

namespace PetSeg.Data.Dataset;

/// <summary>What an import of a folder dataset wrote: the splits' sizes and how many mask pixels had each value.</summary>
public sealed record FolderImportResult(int TrainVal, int Test, IReadOnlyList<long> ValueCounts)
{
    /// <summary>What was left out, one problem a line, when bad pairs are skipped rather than refused.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>"0 background 71.2 %, 255 pet 28.8 %": what the masks held, so a wrong background/ignore choice shows at once.</summary>
    /// <param name="colours">Colour-coded masks: the colours by code, each told as <c>#804080</c>.</param>
    public string DescribeValues(MaskValueMapping mapping, IReadOnlyList<int>? colours = null)
    {
        double total = ValueCounts.Sum();
        if (total == 0) return "no mask pixels";
        return string.Join(", ", Enumerable.Range(0, 256).Where(v => ValueCounts[v] > 0)
            .Select(v => $"{(colours is null ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"#{colours[v]:x6}")} {mapping.NameOf((byte)v)} {100 * ValueCounts[v] / total:0.0#} %"));
    }
}
