using PetSeg.Lab;
using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;
using Spectre.Console;

namespace PetSeg.Cli.Commands.Compare;

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
