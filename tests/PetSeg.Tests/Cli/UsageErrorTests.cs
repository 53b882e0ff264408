using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// Found by a crash harness: unknown options were silently ignored (`status --bogus-flag` exited 0; a mistyped
/// `--exlcusive` would run every stale stage upstream). They are errors now: exit 2, naming the option and the closest known one.
/// </summary>
public sealed class UsageErrorTests
{
    [Fact]
    public void An_unknown_option_is_an_error_that_names_it_and_the_closest_known_one()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], "artifacts: out\ndataset: { source: synthetic }\n");

        var (exit, output) = CliProcess.Run("run", "download", "--exlcusive", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("unknown option --exlcusive; did you mean --exclusive?", output);
        Assert.False(Directory.Exists(dir["out"])); // nothing ran

        (exit, output) = CliProcess.Run("status", "--bogus-flag", "--config", dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("unknown option --bogus-flag", output);

        (exit, output) = CliProcess.Run("status", "--config", dir["pipeline.yaml"]); // the same command, spelled right, works
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void The_closest_option_is_found_among_every_commands_options()
    {
        Assert.Contains("exclusive", PetSeg.Cli.Console.UsageErrors.KnownOptions);
        Assert.Equal("exclusive", PetSeg.Cli.Console.UsageErrors.Closest("exlcusive"));
        Assert.Equal("profile", PetSeg.Cli.Console.UsageErrors.Closest("profil"));
        Assert.Null(PetSeg.Cli.Console.UsageErrors.Closest("bogus-flag"));
    }
}
