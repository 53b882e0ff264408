using System.Globalization;
using System.Text.Json;
using PetSeg.Metrics;
using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg score` puts a model file from outside the pipeline (a colleague's export, the notebook's weights) on the
/// lab's test split: the trained experiment's exported weights, in either format, score exactly what its evaluate
/// stage recorded in pipeline.lock.
/// </summary>
// Outside the torch collection: everything computes in petseg processes.
public sealed class ScoreCommandTests
{
    [Fact]
    public void Exported_weights_score_what_the_evaluate_stage_recorded()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml);
        (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", dir["pipeline.yaml"]]);
        var (exit, log) = Petseg("run", "evaluate-tiny");
        Assert.True(exit == 0, log);
        (exit, log) = Petseg("export", "tiny", "--out", dir["tiny.pth"], "--format", "pth");
        Assert.True(exit == 0, log);
        (exit, log) = Petseg("export", "tiny", "--out", dir["tiny.safetensors"]);
        Assert.True(exit == 0, log);
        var recorded = PipelineLock.Read(dir["pipeline.lock"]).Stages["evaluate-tiny"].Metrics!;

        // Plain PyTorch weights name their architecture; ours say it themselves.
        (exit, log) = Petseg("score", dir["tiny.pth"], "--model", "simple-unet", "--json");
        Assert.True(exit == 0, log);
        var scored = JsonDocument.Parse(log.Split('\n').Single(l => l.StartsWith('{'))).RootElement; // stderr's lines are mixed in here
        foreach (var h in HeadlineMetrics.All)
            Assert.Equal(double.Parse(recorded[h.Key], CultureInfo.InvariantCulture), scored.GetProperty(h.Key).GetDouble());

        (exit, log) = Petseg("score", dir["tiny.safetensors"], "--out", dir["scored.json"]);
        Assert.True(exit == 0, log);
        Assert.Contains("score: simple-unet (epoch 1) on the test split: 4 images at 32²", log);
        Assert.Contains($"mean_iou     {double.Parse(recorded["mean_iou"], CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture)}", log);
        Assert.Equal(recorded["mean_iou"], HeadlineMetrics.Strings(MetricsFile.Read(dir["scored.json"]).Metrics)["mean_iou"]);

        (exit, log) = Petseg("score", dir["tiny.pth"]);
        Assert.Equal(1, exit);
        Assert.Contains("holds plain PyTorch weights (zip .pth), which do not say what model they are: name it with --model", log);
        (exit, log) = Petseg("score", dir["missing.pth"]);
        Assert.Equal(2, exit);
        Assert.Contains("missing.pth: no such file or folder", log);
    }
}
