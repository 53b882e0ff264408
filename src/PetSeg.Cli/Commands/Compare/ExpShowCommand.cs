using PetSeg.Lab;
using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;
using Spectre.Console;

namespace PetSeg.Cli.Commands.Compare;

[Description("One table of experiments × the parameters that differ × metrics, from pipeline.lock (like dvc exp show).")]
public sealed class ExpShowCommand : GuardedCommand<ExpShowSettings>
{
    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(ExpShowSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var table = ExperimentTable.FromLock(PipelineLock.Read(config.LockFile), LabPipeline.Comparison, s.All, s.Sort, s.Group);
        if (table.Rows.Count == 0) { System.Console.WriteLine($"{config.LockFile}: no experiment has run yet (petseg run report)"); return Task.FromResult(0); }
        if (s.Json) System.Console.Write(table.ToJson() + "\n");
        else if (s.Csv) System.Console.Write(table.ToCsv());
        else if (s.Markdown) System.Console.Write(table.ToMarkdown());
        else Show(table, s.All);
        return Task.FromResult(0);
    }

    /// <summary>
    /// The terminal table. "computed with" is one line under it when every experiment shares it (unless --all), as
    /// parameters that do not differ are left out. Short columns (ids, numbers, names) never wrap: when the table is
    /// wider than the terminal only long values (an augmentation's settings) fold, and where even that cannot fit, the
    /// table keeps its own width (a file or `less -S` shows it whole) rather than squeezing every cell to "…".
    /// </summary>
    private static void Show(ExperimentTable table, bool all)
    {
        var header = table.Header.ToList();
        var rows = table.Cells().Select(r => r.Select(Readable).ToList()).ToList();
        var computed = header.IndexOf(ExperimentTable.ComputedWithColumn);
        var shared = rows.Select(r => r[computed]).Distinct().Count() == 1 ? rows[0][computed] : null;
        if (!all && shared is not null)
        {
            header.RemoveAt(computed);
            foreach (var r in rows) r.RemoveAt(computed);
        }
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToList();
        var available = AnsiConsole.Profile.Width;
        var fold = Width(widths) > available;
        if (fold && Width(widths.Select(w => w <= ShortColumn ? w : FoldedWidth)) > available)
        {
            AnsiConsole.Profile.Width = Width(widths);
            fold = false;
            if (!System.Console.IsOutputRedirected)
                System.Console.Error.WriteLine($"(the table is {Width(widths)} columns wide: `petseg exp show | less -S` scrolls it; --md, --csv and --json give it whole)");
        }
        // Folded columns share what the short ones leave.
        var longColumns = widths.Count(w => w > ShortColumn);
        var share = fold ? (available - Width(widths.Where(w => w <= ShortColumn))) / Math.Max(1, longColumns) - 3 : 0;
        var t = new Table();
        for (var c = 0; c < header.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(header[c]));
            if (!fold || widths[c] <= ShortColumn) column.NoWrap();
            else column.Width(Math.Min(widths[c], share));
            t.AddColumn(column);
        }
        foreach (var r in rows) t.AddRow(r.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(t);
        if (!all && shared is not null) AnsiConsole.WriteLine($"{ExperimentTable.ComputedWithColumn}: {shared}");
    }

    /// <summary>A parameter recorded as a flat JSON object (an augmentation's settings) as "key=value, …", which folds at its spaces.</summary>
    private static string Readable(string value)
    {
        // The lock's round-trip numbers print .NET's exponent (5E-05); the terminal shows them as Python and YAML do (5e-05).
        if (value.Contains('E') && double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
            return value.ToLowerInvariant();
        if (!value.StartsWith('{')) return value;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(value);
            return string.Join(", ", doc.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
        }
        catch (System.Text.Json.JsonException) { return value; }
    }

    /// <summary>Columns whose values are at most this long are kept on one line.</summary>
    private const int ShortColumn = 24;

    /// <summary>The least a folded long column is given: narrower, a table is harder to read than one that scrolls.</summary>
    private const int FoldedWidth = 16;

    /// <summary>A table's width in Spectre's default border: one space either side of each cell, a rule between and around.</summary>
    private static int Width(IEnumerable<int> columns) => columns.Sum(w => w + 3) + 1;
}
