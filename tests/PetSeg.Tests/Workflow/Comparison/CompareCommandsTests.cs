using System.Diagnostics;
using System.Text.Json;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Comparison;

/// <summary>
/// `exp show`, `metrics diff` and `params diff` on a real git repository with two commits of pipeline.lock: the
/// metrics live in the lock, so any revision can be compared from git alone.
/// </summary>
// Outside the torch collection: everything computes in petseg processes, so it runs beside other tests.
public sealed class CompareCommandsTests : IDisposable
{
    private readonly TempDir _dir = new();

    private void Git(params string[] args)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-c", "user.email=t@example.org", "-c", "user.name=t", .. args]) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"git {string.Join(' ', args)}: {err}");
    }

    private (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", _dir["pipeline.yaml"]]);

    [Fact]
    public void Exp_show_and_diffs_against_a_committed_lock()
    {
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml);
        var (exit, log) = Petseg("metrics", "diff"); // outside any git repository: what to do, not git's "fatal:"
        Assert.Equal(1, exit);
        Assert.Contains("is not in a git repository: the diffs compare pipeline.lock with the one committed at a revision (git init", log);

        Git("init", "-q");
        (exit, log) = Petseg("run", "report");
        Assert.True(exit == 0, log);
        Git("add", "pipeline.yaml", "pipeline.lock");
        Git("commit", "-q", "-m", "first");

        // exp show: one row per experiment, the differing parameters only, the metrics from the lock.
        (exit, log) = Petseg("exp", "show", "--csv");
        Assert.True(exit == 0, log);
        var lines = log.Trim().Split('\n');
        var header = lines[0].Split(',');
        Assert.Equal("experiment", header[0]);
        Assert.Contains("lr", header);
        Assert.Contains("model", header);
        Assert.DoesNotContain("batch_size", header); // the same in both experiments
        Assert.Equal(["mean_iou", "dice", "f1_weighted", "pixel_error", "accuracy"], header[^5..]); // dice: one row of the metric table
        Assert.Equal(3, lines.Length);
        (exit, log) = Petseg("exp", "show", "--json", "--sort", "pixel_error");
        var rows = JsonDocument.Parse(log).RootElement.EnumerateArray().ToList();
        var errors = rows.Select(r => r.GetProperty("metrics").GetProperty("pixel_error").GetDouble()).ToList();
        Assert.Equal(errors.Order(), errors);

        // The terminal table, here redirected (80 columns for Spectre): each experiment on one line with every metric
        // in full (not squeezed to "…" to fit), the machine that computed them once under the table.
        (exit, log) = Petseg("exp", "show");
        Assert.True(exit == 0, log);
        Assert.DoesNotContain("…", log);
        var tableLines = log.Split('\n');
        foreach (var row in rows)
        {
            var line = Assert.Single(tableLines, l => l.Contains($" {row.GetProperty("experiment").GetString()} ", StringComparison.Ordinal));
            foreach (var metric in row.GetProperty("metrics").EnumerateObject())
                Assert.Contains(PetSeg.Workflow.Comparison.ExperimentTable.Format(metric.Value.GetDouble()), line);
        }
        Assert.Single(tableLines, l => l.StartsWith("computed with: cpu (", StringComparison.Ordinal));
        Assert.DoesNotContain(tableLines, l => l.Contains("│ computed with", StringComparison.Ordinal));

        // Nothing changed yet.
        (exit, log) = Petseg("metrics", "diff");
        Assert.True(exit == 0, log);
        Assert.Contains("no change since HEAD", log);

        // The learning rate and epochs change: params diff names them, metrics diff shows old → new with the change.
        File.WriteAllText(_dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.03, epochs: 4 }"));
        (exit, log) = Petseg("run", "report");
        Assert.True(exit == 0, log);
        (exit, log) = Petseg("params", "diff", "--json");
        Assert.True(exit == 0, log);
        var ps = JsonDocument.Parse(log).RootElement.EnumerateArray().Where(r => r.GetProperty("Subject").GetString() == "train-tiny").ToList();
        Assert.Contains(("lr", "0.001", "0.03"), ps.Select(p => (p.GetProperty("Name").GetString(), p.GetProperty("Old").GetString(), p.GetProperty("New").GetString())));
        Assert.Contains(("epochs", "1", "4"), ps.Select(p => (p.GetProperty("Name").GetString(), p.GetProperty("Old").GetString(), p.GetProperty("New").GetString())));
        (exit, log) = Petseg("metrics", "diff", "HEAD", "--json");
        Assert.True(exit == 0, log);
        var m = JsonDocument.Parse(log).RootElement.EnumerateArray().ToList();
        Assert.All(m, r => Assert.Equal("tiny", r.GetProperty("Subject").GetString())); // the untrained Segformer did not change
        Assert.Contains(m, r => r.GetProperty("Name").GetString() == "dice");
        var iou = m.Single(r => r.GetProperty("Name").GetString() == "mean_iou");
        var (oldV, newV) = (double.Parse(iou.GetProperty("Old").GetString()!, System.Globalization.CultureInfo.InvariantCulture), double.Parse(iou.GetProperty("New").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((newV - oldV).ToString("+0.0000;-0.0000;0", System.Globalization.CultureInfo.InvariantCulture), iou.GetProperty("Change").GetString());
        (exit, log) = Petseg("metrics", "diff", "no-such-rev");
        Assert.Equal(1, exit);
        Assert.Contains("no-such-rev", log);
    }

    public void Dispose() => _dir.Dispose();
}
