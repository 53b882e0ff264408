using PetSeg.Lab;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using PetSeg.Core;
using PetSeg.Workflow.Remote;
using PetSeg.Workflow.Runner;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg push` and `petseg pull` killed (SIGKILL) at random points, 6 times each: a stage record on the remote is
/// only ever visible with every object it names, intact; the local store never holds an entry that fails its
/// digests; and the next push/pull completes.
/// </summary>
// Outside the torch collection: everything computes in petseg processes, so it runs beside other tests.
public sealed class KilledTransfersTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Workspace(string name, string remote)
    {
        var ws = _dir[name];
        Directory.CreateDirectory(ws);
        Directory.CreateDirectory(_dir[remote]);
        File.WriteAllText(Path.Combine(ws, "pipeline.yaml"), TinyPipeline.Yaml +
            $"\nremotes:\n  team: {{ url: \"{new Uri(_dir[remote]).AbsoluteUri}\" }}\nremote: team\n");
        return ws;
    }

    /// <summary>
    /// Starts the command and SIGKILLs it as soon as it has printed <paramref name="line"/> lines: transfers print a
    /// progress line per tenth of each stage's bytes, so the kill lands inside the transfer however fast it runs (kills
    /// timed in milliseconds from the first line missed on a fast machine: 3 of 4 pushes done first in CI), and the
    /// tiny pipeline's 14 MB are enough (the 180 MB of a ResNet-34 Unet made transfers long enough for timed kills).
    /// True when it was still running; <paramref name="printed"/> counts its lines (all of them when it finished first).
    /// </summary>
    private static bool KillAtLine(string ws, int line, out int printed, params string[] args)
    {
        using var p = Process.Start(CliProcess.StartInfo(ws, [.. args, "--config", Path.Combine(ws, "pipeline.yaml")]))!;
        using var reached = new ManualResetEventSlim();
        var lines = 0;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null && Interlocked.Increment(ref lines) >= line) reached.Set(); };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!reached.Wait(5) && !p.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60)) { }
        var killed = !p.HasExited;
        if (killed) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        printed = lines;
        return killed;
    }

    /// <summary>
    /// The kill lines of <paramref name="trials"/> trials: one in each equal slice of a whole run's
    /// <paramref name="lines"/> lines but its last (the summary, printed when the work is done), at random inside it.
    /// </summary>
    private static int[] KillLines(int lines, int trials, Random rng) =>
        [.. Enumerable.Range(0, trials).Select(t => 1 + (int)((lines - 2) * (t + rng.NextDouble()) / trials))];

    /// <summary>Every visible record's objects exist and hash to their names; returns how many records are visible.</summary>
    private int AssertRemoteConsistent(string remote)
    {
        var stages = _dir[remote + "/stages"];
        if (!Directory.Exists(stages)) return 0;
        foreach (var file in Directory.EnumerateFiles(stages, "*.json"))
        {
            var record = JsonSerializer.Deserialize<StageRecord>(File.ReadAllText(file))!;
            foreach (var o in record.Objects.Values.SelectMany(x => x))
            {
                var path = Path.Combine(_dir[remote], StageRecord.ObjectKey(o.Sha256));
                Assert.True(File.Exists(path), $"{Path.GetFileName(file)} is visible but names missing {o.Sha256}");
                Assert.Equal(o.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
            }
        }
        return Directory.GetFiles(stages, "*.json").Length;
    }

    private static void AssertLocalConsistent(string ws)
    {
        var config = PipelineConfigLoader.Load(Path.Combine(ws, "pipeline.yaml"));
        // Verify re-hashes every entry ignoring the memo; nothing may be damaged.
        Assert.Empty(LabPipeline.Runner(config, NullProgressSink.Instance).Verify());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Killed_pushes_and_pulls_leave_nothing_half_visible_and_the_next_one_completes()
    {
        var a = Workspace("a", "remote");
        var (exit, log) = CliProcess.Run("run", "report", "--config", Path.Combine(a, "pipeline.yaml"));
        Assert.True(exit == 0, log);
        var stageCount = PetSeg.Workflow.Store.PipelineLock.Read(Path.Combine(a, "pipeline.lock")).Stages.Count;
        var rng = new Random(11);

        // Each trial pushes into an empty remote, is killed at a random point, then a second push completes it.
        // One whole push first, into its own remote, counts the lines the kills are spread over.
        const int trials = 4;
        KillAtLine(Workspace("a", "remote-counted"), int.MaxValue, out var pushLines, "push");
        Assert.True(pushLines > 2 * trials, $"a whole push printed only {pushLines} lines");
        var pushKills = KillLines(pushLines, trials, rng);
        int killed = 0;
        for (int trial = 0; trial < trials; trial++)
            // A push that finished before its kill landed (a loaded machine reads its lines late) is tried again, into an empty remote.
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                var remote = $"remote-{trial}-{attempt}";
                a = Workspace("a", remote);
                bool stopped = KillAtLine(a, pushKills[trial], out _, "push");
                AssertRemoteConsistent(remote);
                (exit, log) = CliProcess.Run("push", "--config", Path.Combine(a, "pipeline.yaml"));
                Assert.True(exit == 0, log);
                Assert.Equal(stageCount, AssertRemoteConsistent(remote));
                if (stopped) { killed++; break; }
            }
        Assert.True(killed >= trials / 2, $"only {killed} of {trials} pushes were still running when killed, in {Attempts} attempts each (at lines {string.Join(", ", pushKills)} of {pushLines})");

        // Each trial pulls into an empty store, is killed at a random point, then a second pull completes it.
        var full = $"remote-{trials - 1}-0"; // a remote every trial completed
        var counted = Workspace("b-counted", full);
        File.Copy(Path.Combine(a, "pipeline.lock"), Path.Combine(counted, "pipeline.lock"));
        KillAtLine(counted, int.MaxValue, out var pullLines, "pull");
        Directory.Delete(counted, recursive: true);
        Assert.True(pullLines > 2 * trials, $"a whole pull printed only {pullLines} lines");
        var pullKills = KillLines(pullLines, trials, rng);
        killed = 0;
        for (int trial = 0; trial < trials; trial++)
            for (int attempt = 0; attempt < Attempts; attempt++) // likewise: a pull that finished first is tried again, into an empty store
            {
                var b = Workspace($"b{trial}", full);
                File.Copy(Path.Combine(a, "pipeline.lock"), Path.Combine(b, "pipeline.lock"));
                bool stopped = KillAtLine(b, pullKills[trial], out _, "pull");
                AssertLocalConsistent(b);
                (exit, log) = CliProcess.Run("pull", "--config", Path.Combine(b, "pipeline.yaml"));
                Assert.True(exit == 0, log);
                var config = PipelineConfigLoader.Load(Path.Combine(b, "pipeline.yaml"));
                Assert.All(LabPipeline.Runner(config, NullProgressSink.Instance).Run("report"), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
                Assert.Equal(File.ReadAllBytes(Path.Combine(a, "out/report/report.md")), File.ReadAllBytes(Path.Combine(b, "out/report/report.md")));
                Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(b, "out/store/tmp")));
                Directory.Delete(b, recursive: true);
                if (stopped) { killed++; break; }
            }
        Assert.True(killed >= trials / 2, $"only {killed} of {trials} pulls were still running when killed, in {Attempts} attempts each (at lines {string.Join(", ", pullKills)} of {pullLines})");
    }

    /// <summary>How often a trial is tried before it counts as one the transfer outran.</summary>
    private const int Attempts = 3;

    public void Dispose() => _dir.Dispose();
}
