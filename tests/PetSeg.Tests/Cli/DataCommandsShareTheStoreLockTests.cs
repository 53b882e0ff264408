using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg download` and `petseg preprocess` write under artifacts/ through the runner, so they take the store's lock
/// like `run`: while another command holds it they are refused cleanly and write nothing.
/// </summary>
public sealed class DataCommandsShareTheStoreLockTests
{
    [Fact]
    public void Download_and_preprocess_wait_their_turn_and_then_record_what_they_wrote()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], """
            artifacts: out
            dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
            preprocess: { image_size: 16 }
            """);
        using (StoreLock.Acquire(dir["out/store"], "petseg run report (test holder)"))
        {
            foreach (var command in new[] { "download", "preprocess" })
            {
                var (exit, output) = CliProcess.Run(command, "--config", dir["pipeline.yaml"]);
                Assert.Equal(1, exit);
                Assert.Contains("is in use by another petseg process: 'petseg run report (test holder)'", output);
                Assert.DoesNotContain("   at ", output); // no stack trace
                Assert.False(Directory.Exists(dir["out/data"]), $"{command} wrote under out/data while the store was locked");
            }
        }
        var (ok, log) = CliProcess.Run("preprocess", "--config", dir["pipeline.yaml"]);
        Assert.True(ok == 0, log);
        var (_, status) = CliProcess.Run("status", "--json", "--config", dir["pipeline.yaml"]);
        var stages = System.Text.Json.JsonDocument.Parse(status).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, stages.Count);
        Assert.All(stages, s => Assert.True(s.GetProperty("fresh").GetBoolean())); // the store recorded what they wrote
    }
}
