using PetSeg.Lab;
using PetSeg.Core;
using PetSeg.Workflow.Runner;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Graph;

/// <summary>
/// Keys are a function of content and parameters only: two fresh workspaces (other folders, other times) running the
/// same pipeline.yaml produce the same key for every stage, so a remote cache can hit across machines.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class KeysAcrossWorkspacesTests
{
    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 12, seed: 5, min_width: 48, max_width: 64, min_height: 40, max_height: 56 } }
        preprocess: { image_size: 32 }
        weights: { source: synthetic }
        training: { epochs: 0 }
        experiments:
          u: { model: unet-resnet34 }
          s: { model: segformer-mit_b0 }
        report: { sample_predictions: 1 }
        """;

    [Trait("Category", "Slow")]
    [Fact]
    public void Two_fresh_workspaces_give_identical_keys_for_every_stage()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var keys = new List<Dictionary<string, string>>();
        foreach (var dir in new[] { a, b })
        {
            File.WriteAllText(dir["pipeline.yaml"], Yaml);
            var runs = LabPipeline.Runner(PipelineConfigLoader.Load(dir["pipeline.yaml"]), NullProgressSink.Instance).Run("report");
            Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
            keys.Add(runs.ToDictionary(r => r.Stage, r => r.Key));
            Thread.Sleep(1100); // zip entry times and file mtimes differ between the two workspaces
        }
        Assert.Equal(["download", "evaluate-s", "evaluate-u", "preprocess", "report", "train-s", "train-u", "weights"], keys[0].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(File.ReadAllBytes(a["out/data/downloads/weights/synthetic/resnet34-b627a593.pth"]),
                     File.ReadAllBytes(b["out/data/downloads/weights/synthetic/resnet34-b627a593.pth"]));
    }
}
