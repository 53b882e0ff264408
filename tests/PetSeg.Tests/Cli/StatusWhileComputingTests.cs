using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// <c>petseg status</c> from another terminal while a run computes a stage: it names the process computing it and how
/// far it has got (it said "a stopped run left … epoch(s) done: running it resumes there" of a training running that
/// moment); once the run is stopped, the stopped run's work is what it names.
/// </summary>
public sealed class StatusWhileComputingTests
{
    [Fact]
    public void Status_names_the_process_computing_a_stage_and_how_far_it_is()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1,", "training: { epochs: 400,", StringComparison.Ordinal));
        using var run = Process.Start(CliProcess.StartInfo(null, "run", "train-tiny", "--config", dir["pipeline.yaml"]))!;
        try
        {
            WaitForLine(run, "epoch 2/400");
            var (exit, json) = CliProcess.Run("status", "--json", "--config", dir["pipeline.yaml"]);
            Assert.True(exit == 0, json);
            var train = JsonDocument.Parse(json).RootElement.EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "train-tiny");
            var computing = train.GetProperty("computing");
            Assert.Equal(run.Id, computing.GetProperty("pid").GetInt32());
            Assert.Equal("petseg run train-tiny: train-tiny", computing.GetProperty("purpose").GetString());
            Assert.Matches(@"^\d+ of 400 epoch\(s\) done$", computing.GetProperty("progress").GetString());
            var (_, text) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]);
            Assert.Matches($@"STALE +train-tiny\n +never run\n +being computed now by pid {run.Id} \(petseg run train-tiny: train-tiny\), since \d\d:\d\d:\d\d, \d+ s: \d+ of 400 epoch\(s\) done\n", text);
            Assert.DoesNotContain("a stopped run left", text);
            Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(CliProcess.Run("status", "--json", "--config", dir["pipeline.yaml"]).Output).RootElement
                .EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "preprocess").GetProperty("computing").ValueKind);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) term.WaitForExit(); // it saves where it got to
            run.WaitForExit(60_000);
        }
        Assert.True(run.HasExited, "still running a minute after SIGTERM");
        var (_, after) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]);
        Assert.DoesNotContain("being computed now", after);
        Assert.Matches(@"a stopped run left \d+ of 400 epoch\(s\)( and \d+ batch\(es\) of the next)? done: running it resumes there", after);
    }

    [Fact]
    [Trait("Category", "Slow")] // a training of 150 epochs (15 s), then its check
    public void Status_names_a_check_computing_a_stored_stage_again_and_how_far_it_is()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("training: { epochs: 1,", "training: { epochs: 150,", StringComparison.Ordinal));
        var (exit, output) = CliProcess.Run("run", "train-tiny", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        // The check trains in its own work folder, not artifacts/runs/<key>: that is where its epochs are counted.
        using var check = Process.Start(CliProcess.StartInfo(null, "run", "train-tiny", "--check", "--config", dir["pipeline.yaml"]))!;
        try
        {
            WaitForLine(check, "epoch 3/150");
            var (_, text) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]);
            Assert.Matches($@"fresh +train-tiny\n +being computed again now by pid {check.Id} \(petseg run train-tiny --check: train-tiny\), since \d\d:\d\d:\d\d, \d+ s: ([2-9]|\d\d+) of 150 epoch\(s\) done\n", text);
            var train = JsonDocument.Parse(CliProcess.Run("status", "--json", "--config", dir["pipeline.yaml"]).Output).RootElement.EnumerateArray()
                .Single(s => s.GetProperty("stage").GetString() == "train-tiny");
            Assert.True(train.GetProperty("fresh").GetBoolean());
            Assert.Equal(check.Id, train.GetProperty("computing").GetProperty("pid").GetInt32());
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", check.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) term.WaitForExit();
            check.WaitForExit(60_000);
        }
        Assert.True(check.HasExited, "still running a minute after SIGTERM");
        var (_, after) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]);
        Assert.DoesNotContain("being computed", after);
        Assert.DoesNotContain("a stopped run left", after); // a stopped check leaves nothing to resume
    }

    /// <summary>Reads the process's output until a line starts with <paramref name="start"/> (two minutes at most); goes on reading after.</summary>
    private static void WaitForLine(Process process, string start)
    {
        var lines = new ConcurrentQueue<string>();
        var seen = new TaskCompletionSource(); // nothing to dispose: the handlers outlive this call
        process.OutputDataReceived += (_, e) => { if (e.Data is { } l) { lines.Enqueue(l); if (l.StartsWith(start, StringComparison.Ordinal)) seen.TrySetResult(); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lines.Enqueue(l); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Assert.True(seen.Task.Wait(TimeSpan.FromSeconds(120)), $"no line '{start}…' in two minutes:\n{string.Join('\n', lines)}");
    }
}
