using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;
using Spectre.Console;

namespace PetSeg.Cli.Commands.Compare;

/// <summary>metrics diff / params diff: the lock file now against the one committed at REV.</summary>
public abstract class DiffCommand : GuardedCommand<DiffSettings>
{
    protected abstract IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all);
    protected abstract string SubjectHeader { get; }

    protected override bool UsesTorch => false;

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
