using System.Globalization;
using System.Text;

namespace PetSeg.Reporting;

/// <summary>
/// What <c>print(tabulate(df.round(4), headers='keys', tablefmt='pipe'))</c> prints for a pandas DataFrame: an index
/// column, strings left-aligned, numbers right-aligned with decimal points lined up (tabulate's numalign="decimal"),
/// floats formatted with Python's <c>'g'</c> (so 0.9710 prints as 0.971), every column at least header + 2 wide.
/// </summary>
public static class PipeTable
{
    private const int MinPadding = 2;

    /// <summary>What a NaN cell shows (pandas would print "nan"): a metric that is undefined, e.g. mean IoU with no valid pixel.</summary>
    public const string NotAvailable = "n/a";

    /// <param name="rows">Each row: one string column followed by numeric columns.</param>
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<(string Label, double[] Values)> rows, int decimals = 4)
    {
        var columns = new List<Column>
        {
            Numeric("", rows.Select((_, i) => i.ToString(CultureInfo.InvariantCulture)).ToList()),
            Text(headers[0], rows.Select(r => r.Label).ToList()),
        };
        for (int c = 1; c < headers.Count; c++)
            columns.Add(Numeric(headers[c], rows.Select(r => double.IsNaN(r.Values[c - 1]) ? NotAvailable : FormatG(RoundHalfEven(r.Values[c - 1], decimals))).ToList()));

        var sb = new StringBuilder();
        sb.Append('|').AppendJoin('|', columns.Select(c => " " + (c.Right ? c.Header.PadLeft(c.Width) : c.Header.PadRight(c.Width)) + " ")).Append("|\n");
        sb.Append('|').AppendJoin('|', columns.Select(c => c.Right ? new string('-', c.Width + 1) + ":" : ":" + new string('-', c.Width + 1))).Append("|\n");
        for (int r = 0; r < rows.Count; r++)
            sb.Append('|').AppendJoin('|', columns.Select(c => " " + (c.Right ? c.Cells[r].PadLeft(c.Width) : c.Cells[r].PadRight(c.Width)) + " ")).Append("|\n");
        return sb.ToString();
    }

    private sealed record Column(string Header, List<string> Cells, bool Right, int Width);

    private static Column Text(string header, List<string> cells) =>
        new(header, cells, false, Math.Max(header.Length + MinPadding, cells.DefaultIfEmpty("").Max(c => c.Length)));

    private static Column Numeric(string header, List<string> cells)
    {
        // Decimal alignment: pad on the right so every decimal point sits in the same column (an integer counts as having its point after the end).
        int After(string s) => s.Contains('.') ? s.Length - s.LastIndexOf('.') - 1 : -1;
        int maxAfter = cells.DefaultIfEmpty("").Max(After);
        var aligned = cells.Select(c => c + new string(' ', maxAfter - After(c))).ToList();
        return new(header, aligned, true, Math.Max(header.Length + MinPadding, aligned.DefaultIfEmpty("").Max(c => c.Length)));
    }

    /// <summary>numpy/pandas <c>round(decimals)</c>: scale, round half to even, unscale.</summary>
    public static double RoundHalfEven(double v, int decimals)
    {
        double scale = Math.Pow(10, decimals);
        return Math.Round(v * scale, MidpointRounding.ToEven) / scale;
    }

    /// <summary>Python's <c>format(v, 'g')</c>: 6 significant digits, trailing zeros dropped, exponent below 1e-4 or from 1e6.</summary>
    public static string FormatG(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0" : "0";
        // The decimal exponent after rounding to 6 significant digits decides the notation, as in Python.
        var scientific = v.ToString("E5", CultureInfo.InvariantCulture); // d.dddddE+xxx
        int exp = int.Parse(scientific[(scientific.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
        if (exp < -4 || exp >= 6)
        {
            var mantissa = scientific[..scientific.IndexOf('E')].TrimEnd('0').TrimEnd('.');
            return $"{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
        }
        var fixedText = v.ToString("F" + Math.Max(0, 5 - exp), CultureInfo.InvariantCulture);
        return fixedText.Contains('.') ? fixedText.TrimEnd('0').TrimEnd('.') : fixedText;
    }
}
