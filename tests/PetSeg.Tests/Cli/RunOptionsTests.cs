using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg run`'s --force and --exclusive through the program (they were parsed and then not passed on, so a forced
/// rerun was a cache hit and an exclusive run ran the target's upstream stages too).
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class RunOptionsTests
{
    [Fact]
    public void Force_reruns_the_target_alone_and_exclusive_runs_nothing_else()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", dir["pipeline.yaml"]]);

        // Exclusive in a fresh workspace: the target's inputs are not there, and nothing upstream runs to make them.
        var (exit, log) = Petseg("run", "train-tiny", "--exclusive");
        Assert.Equal(1, exit);
        Assert.Contains("stage 'preprocess' has no published result yet", log);
        Assert.DoesNotContain("download: running", log);

        (exit, log) = Petseg("run", "train-tiny");
        Assert.True(exit == 0, log);
        Assert.Contains("train-tiny: 3 stage(s), 3 ran", log); // download, preprocess, train-tiny
        Assert.Matches(@"download: running \(key xxh128:[0-9a-f]+…; stage 1 of 3\)", log); // where in the run each is
        Assert.Matches(@"train-tiny: running \(key xxh128:[0-9a-f]+…; stage 3 of 3\)", log);

        (exit, log) = Petseg("run", "train-tiny", "--force");
        Assert.True(exit == 0, log);
        Assert.Contains("train-tiny: running (key", log);
        Assert.Contains("train-tiny: 3 stage(s), 1 ran, 0 pulled, 2 cache hit(s)", log); // only the target is forced

        (exit, log) = Petseg("run", "evaluate-tiny", "--exclusive");
        Assert.True(exit == 0, log);
        Assert.Contains("evaluate-tiny: 1 stage(s), 1 ran", log);
        Assert.Matches(@"evaluate-tiny: running \(key xxh128:[0-9a-f]+…\)", log); // a run of one stage has no position
        (exit, log) = Petseg("run", "evaluate-tiny", "-f", "--exclusive");
        Assert.True(exit == 0, log);
        Assert.Contains("evaluate-tiny: 1 stage(s), 1 ran", log);
    }
}
