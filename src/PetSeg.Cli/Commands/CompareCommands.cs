using PetSeg.Lab;
using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands;

public class OutputSettings : PipelineSettings
{
    [CommandOption("--all")][Description("Every value, not only those that differ.")]
    public bool All { get; init; }
    [CommandOption("--md")][Description("Markdown table.")]
    public bool Markdown { get; init; }
    [CommandOption("--csv")][Description("CSV.")]
    public bool Csv { get; init; }
    [CommandOption("--json")][Description("JSON.")]
    public bool Json { get; init; }
}

public sealed class ExpShowSettings : OutputSettings
{
    [CommandOption("--sort <METRIC>")][Description("Sort by a headline metric, best first (the metrics are listed in the description above).")]
    public string? Sort { get; init; }
}

[Description("One table of experiments × the parameters that differ × metrics, from pipeline.lock (like dvc exp show).")]
public sealed class ExpShowCommand : GuardedCommand<ExpShowSettings>
{
    protected override Task<int> RunAsync(ExpShowSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var table = ExperimentTable.FromLock(PipelineLock.Read(config.LockFile), LabPipeline.Comparison, s.All, s.Sort);
        if (table.Rows.Count == 0) { System.Console.WriteLine($"{config.LockFile}: no experiment has run yet (petseg run report)"); return Task.FromResult(0); }
        if (s.Json) System.Console.Write(table.ToJson() + "\n");
        else if (s.Csv) System.Console.Write(table.ToCsv());
        else if (s.Markdown) System.Console.Write(table.ToMarkdown());
        else
        {
            var t = new Table().AddColumns(table.Header.Select(h => new TableColumn(Markup.Escape(h))).ToArray());
            foreach (var row in table.Cells()) t.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(t);
        }
        return Task.FromResult(0);
    }
}

public sealed class DiffSettings : OutputSettings
{
    [CommandArgument(0, "[REV]")][Description("The git revision whose pipeline.lock to compare with (default HEAD).")]
    public string Revision { get; init; } = "HEAD";
}

/// <summary>metrics diff / params diff: the lock file now against the one committed at REV.</summary>
public abstract class DiffCommand : GuardedCommand<DiffSettings>
{
    protected abstract IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all);
    protected abstract string SubjectHeader { get; }

    protected sealed override Task<int> RunAsync(DiffSettings s, CancellationToken ct)
    {
        var config = s.Load();
        var old = PipelineLock.Parse(GitRevision.ReadFile(config.LockFile, s.Revision), $"{s.Revision}:{Path.GetFileName(config.LockFile)}");
        var rows = Diff(old, PipelineLock.Read(config.LockFile), s.All);
        if (s.Json)
        {
            System.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(rows, PetSeg.IO.JsonFiles.Options(indented: true)));
            return Task.FromResult(0);
        }
        if (rows.Count == 0) { System.Console.WriteLine($"no change since {s.Revision}"); return Task.FromResult(0); }
        string[] header = [SubjectHeader, "name", s.Revision, "workspace", "change"];
        if (s.Markdown)
        {
            System.Console.WriteLine("| " + string.Join(" | ", header) + " |\n|:--|:--|--:|--:|--:|");
            foreach (var r in rows) System.Console.WriteLine($"| {r.Subject} | {r.Name} | {r.Old ?? "-"} | {r.New ?? "-"} | {r.Change} |");
            return Task.FromResult(0);
        }
        var t = new Table().AddColumns(header.Select(h => new TableColumn(Markup.Escape(h))).ToArray());
        foreach (var r in rows) t.AddRow(Markup.Escape(r.Subject), Markup.Escape(r.Name), Markup.Escape(r.Old ?? "-"), Markup.Escape(r.New ?? "-"), Markup.Escape(r.Change));
        AnsiConsole.Write(t);
        return Task.FromResult(0);
    }
}

[Description("Each experiment's metrics in pipeline.lock now against those committed at REV (default HEAD): old → new and the change.")]
public sealed class MetricsDiffCommand : DiffCommand
{
    protected override IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all) => LockDiff.Metrics(old, now, LabPipeline.Comparison, all);
    protected override string SubjectHeader => "experiment";
}

[Description("Each stage's parameters in pipeline.lock now against those committed at REV (default HEAD).")]
public sealed class ParamsDiffCommand : DiffCommand
{
    protected override IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all) => LockDiff.Params(old, now, all);
    protected override string SubjectHeader => "stage";
}
