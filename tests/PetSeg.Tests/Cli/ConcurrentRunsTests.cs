using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// Two `petseg run` processes on one store at once (the store lock is shared by runs; each stage has its own lock):
/// different stages both succeed and both land in pipeline.lock; the same stage is computed once, the other process
/// waits and takes the published result.
/// </summary>
public sealed class ConcurrentRunsTests
{
    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 48, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 32 }
        training: { epochs: 3, batch_size: 4 }
        experiments:
          a: { model: simple-unet, lr: 0.001 }
          b: { model: simple-unet, lr: 0.002 }
          c: { model: simple-unet, lr: 0.003, epochs: 8 }
        report:
          tables: [ { title: T, rows: [ { label: A, experiment: a }, { label: B, experiment: b }, { label: C, experiment: c } ] } ]
        """;

    /// <summary>One thread each: two libtorch processes that each take every core slow each other down several times over.</summary>
    private static readonly Dictionary<string, string> OneThread = new() { ["OMP_NUM_THREADS"] = "1" };

    private static async Task<(int Exit, string Output)[]> Together(params string[][] commands) =>
        await Task.WhenAll(commands.Select(c => Task.Run(() => CliProcess.RunWith(OneThread, c))));

    [Fact]
    public async Task Different_stages_run_side_by_side_and_the_same_stage_runs_once()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], Yaml);
        var cfg = new[] { "--config", dir["pipeline.yaml"] };
        var (prep, prepLog) = CliProcess.Run(["run", "preprocess", .. cfg]);
        Assert.True(prep == 0, prepLog);

        // Different stages at once: both succeed, and pipeline.lock keeps both lines.
        var different = await Together(["run", "train-a", .. cfg], ["run", "train-b", .. cfg]);
        Assert.All(different, r => Assert.True(r.Exit == 0, r.Output));
        Assert.All(different, r => Assert.Contains(": running (key", r.Output));
        var stages = PipelineLock.Read(dir["pipeline.lock"]).Stages.Keys;
        Assert.Contains("train-a", stages);
        Assert.Contains("train-b", stages);

        // The same stage from two processes: computed once; the other waited for it and took the result.
        var same = await Together(["run", "train-c", .. cfg], ["run", "train-c", .. cfg]);
        Assert.All(same, r => Assert.True(r.Exit == 0, r.Output));
        var all = string.Concat(same.Select(r => r.Output));
        Assert.Contains("train-c: waiting for another petseg process", all);
        Assert.Equal(1, TestText.CountOf(all, "train-c: running (key"));
        Assert.Contains("train-c: up to date (computed meanwhile by another process", all);
        Assert.Empty(Directory.GetFileSystemEntries(dir["out/store/tmp"]));
    }

}
