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
[Collection(TorchGlobalState.Name)]
public sealed class KilledTransfersTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Workspace(string name, string remote)
    {
        var ws = _dir[name];
        Directory.CreateDirectory(ws);
        Directory.CreateDirectory(_dir[remote]);
        File.WriteAllText(Path.Combine(ws, "pipeline.yaml"), TinyPipeline.WithUnet +
            $"\nremotes:\n  team: {{ url: \"{new Uri(_dir[remote]).AbsoluteUri}\" }}\nremote: team\n");
        return ws;
    }

    /// <summary>
    /// Starts the command and SIGKILLs it <paramref name="delay"/> after it says its first line (so the kill lands in
    /// the transfer, not in the runtime's start); true when it was still running.
    /// </summary>
    private static bool KillAfter(string ws, TimeSpan delay, params string[] args)
    {
        using var p = Process.Start(CliProcess.StartInfo(ws, [.. args, "--config", Path.Combine(ws, "pipeline.yaml")]))!;
        using var started = new ManualResetEventSlim();
        p.OutputDataReceived += (_, _) => started.Set();
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        started.Wait(TimeSpan.FromSeconds(10));
        var killed = !p.WaitForExit(delay);
        if (killed) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return killed;
    }

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
        int killed = 0;
        // 10 random kills in session 4, 6 later (all green); 4 now that each lands in the transfer (timed from its first
        // progress line, not from the runtime's start) at 0–0.12, 0.12–0.24, 0.24–0.36 and 0.36–0.48 s: a transfer here takes ~0.5–1 s.
        const int trials = 4;
        for (int trial = 0; trial < trials; trial++)
        {
            var remote = $"remote-{trial}";
            a = Workspace("a", remote);
            if (KillAfter(a, TimeSpan.FromMilliseconds(trial * 120 + rng.Next(0, 120)), "push")) killed++;
            AssertRemoteConsistent(remote);
            (exit, log) = CliProcess.Run("push", "--config", Path.Combine(a, "pipeline.yaml"));
            Assert.True(exit == 0, log);
            Assert.Equal(stageCount, AssertRemoteConsistent(remote));
        }
        Assert.True(killed >= trials / 2, $"only {killed} of {trials} pushes were still running when killed");

        // Each trial pulls into an empty store, is killed at a random point, then a second pull completes it.
        killed = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var b = Workspace($"b{trial}", $"remote-{trials - 1}");
            File.Copy(Path.Combine(a, "pipeline.lock"), Path.Combine(b, "pipeline.lock"));
            if (KillAfter(b, TimeSpan.FromMilliseconds(trial * 120 + rng.Next(0, 120)), "pull")) killed++;
            AssertLocalConsistent(b);
            (exit, log) = CliProcess.Run("pull", "--config", Path.Combine(b, "pipeline.yaml"));
            Assert.True(exit == 0, log);
            var config = PipelineConfigLoader.Load(Path.Combine(b, "pipeline.yaml"));
            Assert.All(LabPipeline.Runner(config, NullProgressSink.Instance).Run("report"), r => Assert.Equal(StageOutcome.CacheHit, r.Outcome));
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, "out/report/report.md")), File.ReadAllBytes(Path.Combine(b, "out/report/report.md")));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(b, "out/store/tmp")));
            Directory.Delete(b, recursive: true);
        }
        Assert.True(killed >= trials / 2, $"only {killed} of {trials} pulls were still running when killed");
    }

    public void Dispose() => _dir.Dispose();
}
