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

        // Plain PyTorch weights name their architecture; ours say it themselves. Several files: one JSON line each.
        (exit, log) = Petseg("score", dir["tiny.pth"], dir["tiny.safetensors"], "--model", "simple-unet", "--json");
        Assert.True(exit == 0, log);
        var lines = log.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList(); // stderr's lines are mixed in here
        Assert.Equal([dir["tiny.pth"], dir["tiny.safetensors"]], lines.Select(l => l.GetProperty("file").GetString()));
        foreach (var scored in lines)
            foreach (var h in HeadlineMetrics.All)
                Assert.Equal(double.Parse(recorded[h.Key], CultureInfo.InvariantCulture), scored.GetProperty(h.Key).GetDouble());

        (exit, log) = Petseg("score", dir["tiny.safetensors"], "--out", dir["scored.json"]);
        Assert.True(exit == 0, log);
        Assert.Contains("score: the test split, 4 images at 32²", log);
        Assert.Contains($"{dir["tiny.safetensors"]}: simple-unet (epoch 1)", log);
        Assert.Contains($"mean_iou     {double.Parse(recorded["mean_iou"], CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture)}", log);
        Assert.Equal(recorded["mean_iou"], HeadlineMetrics.Strings(MetricsFile.Read(dir["scored.json"]).Metrics)["mean_iou"]);

        (exit, log) = Petseg("score", dir["tiny.pth"]);
        Assert.Equal(1, exit);
        Assert.Contains("holds plain PyTorch weights (zip .pth), which do not say what model they are: name it with --model", log);
        (exit, log) = Petseg("score", dir["missing.pth"]);
        Assert.Equal(2, exit);
        Assert.Contains("missing.pth: no such file or folder", log);
        // Among several, a file that cannot be scored is named and the others are, side by side.
        File.WriteAllText(dir["broken.pth"], "not a checkpoint");
        (exit, log) = Petseg("score", dir["broken.pth"], dir["tiny.pth"], dir["tiny.safetensors"], "--model", "simple-unet");
        Assert.Equal(1, exit);
        Assert.Contains($"error: {dir["broken.pth"]}: not a PyTorch checkpoint", log);
        Assert.Contains("1 of 3 file(s) could not be scored", log);
        Assert.Matches(@"\nfile +model +mean_iou +dice +f1_weighted +pixel_error +accuracy\n", log);
        var iou = double.Parse(recorded["mean_iou"], CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(dir["tiny.pth"])} +simple-unet, PyTorch weights \(zip \.pth\) +{iou} ", log);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(dir["tiny.safetensors"])} +simple-unet, epoch 1 +{iou} ", log);

        // --tta scores as an evaluation with tta: does (the same training, evaluated again).
        File.WriteAllText(dir["pipeline.yaml"], TinyPipeline.Yaml.Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, tta: hflip }", StringComparison.Ordinal));
        (exit, log) = Petseg("run", "evaluate-tiny");
        Assert.True(exit == 0, log);
        Assert.Contains("train-tiny: up to date", log);
        var flipped = PipelineLock.Read(dir["pipeline.lock"]).Stages["evaluate-tiny"].Metrics!;
        (exit, log) = Petseg("score", dir["tiny.safetensors"], "--tta", "hflip");
        Assert.True(exit == 0, log);
        Assert.Contains($"{dir["tiny.safetensors"]}: simple-unet (epoch 1, tta: hflip)", log);
        Assert.Contains($"mean_iou     {double.Parse(flipped["mean_iou"], CultureInfo.InvariantCulture).ToString("0.0000", CultureInfo.InvariantCulture)}", log);
        (exit, log) = Petseg("score", dir["tiny.safetensors"], "--tta", "vflip");
        Assert.Equal(2, exit);
        Assert.Contains("--tta is one of none, hflip, not 'vflip'", log);
    }
}
