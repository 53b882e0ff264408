using System.Text.Json;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// build.cake decides which tasks to skip from `petseg status --json` and registers tasks from `petseg stages`:
/// this is the contract it parses (an array of {stage, fresh, runs, key, reasons}; id TAB kind TAB deps TAB group lines).
/// </summary>
public sealed class StatusJsonContractTests
{
    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 16 }
        """;

    [Fact]
    public void Status_json_lists_every_stage_with_freshness_key_and_reasons()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], Yaml);

        var (exit, stages) = CliProcess.Run("stages", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, stages);
        Assert.Equal(["download\tdownload\t\t", "preprocess\tpreprocess\tdownload\t"], stages.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var before = Status(dir);
        Assert.Equal(["download", "preprocess"], before.Select(s => s.GetProperty("stage").GetString()));
        Assert.All(before, s => Assert.False(s.GetProperty("fresh").GetBoolean()));
        Assert.All(before, s => Assert.True(s.GetProperty("runs").GetBoolean()));
        Assert.Equal(["never run"], before[0].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("xxh128:", before[0].GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, before[1].GetProperty("key").ValueKind); // unknown until download is fresh
        Assert.Equal(["upstream stage 'download' is stale"], before[1].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        var (runExit, runOutput) = CliProcess.Run("run", "preprocess", "--config", dir["pipeline.yaml"]);
        Assert.True(runExit == 0, runOutput);
        var after = Status(dir);
        Assert.All(after, s => Assert.True(s.GetProperty("fresh").GetBoolean()));
        Assert.All(after, s => Assert.False(s.GetProperty("runs").GetBoolean())); // nothing to refresh: Cake skips them
        Assert.All(after, s => Assert.Empty(s.GetProperty("reasons").EnumerateArray()));
        Assert.Equal(before[0].GetProperty("key").GetString(), after[0].GetProperty("key").GetString());
        var lockText = File.ReadAllText(dir["pipeline.lock"]);
        Assert.All(after, s => Assert.Contains(s.GetProperty("key").GetString()!, lockText));
    }

    private static List<JsonElement> Status(TempDir dir)
    {
        var (exit, output) = CliProcess.Run("status", "--json", "--config", dir["pipeline.yaml"]);
        Assert.True(exit == 0, output);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
    }
}
