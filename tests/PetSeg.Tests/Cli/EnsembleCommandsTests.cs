using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Store;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Cli;

/// <summary>
/// An experiment's seeds as one model: <c>predict --ensemble</c> and <c>score --ensemble</c> compute what the library's
/// <see cref="Ensemble"/> computes, and a seed's own run can be named (<c>tiny-seed2</c>).
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class EnsembleCommandsTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Predict_and_score_take_every_seed_of_an_experiment_as_one_model()
    {
        var file = _dir["pipeline.yaml"];
        File.WriteAllText(file, TinyPipeline.Yaml.Replace("training: { epochs: 1, batch_size: 4 }", "training: { epochs: 1, batch_size: 4, seeds: [1, 2] }", StringComparison.Ordinal));
        var config = PipelineConfigLoader.Load(file);
        foreach (var seed in new[] { 1, 2 }) LabPipeline.Runner(config, NullProgressSink.Instance).Run($"train-tiny-seed{seed}");
        foreach (var seed in new[] { 1, 2 })
        {
            var (code, output) = CliProcess.Run("export", $"tiny-seed{seed}", "--out", _dir[$"seed{seed}.safetensors"], "--config", file);
            Assert.True(code == 0, output);
            Assert.Contains($"export: tiny-seed{seed} (", output); // a seed's own run, by its run id
        }
        Assert.NotEqual(File.ReadAllBytes(_dir["seed1.safetensors"]), File.ReadAllBytes(_dir["seed2.safetensors"]));

        using var one = PredictionModel.Load(_dir["seed1.safetensors"]);
        using var two = PredictionModel.Load(_dir["seed2.safetensors"]);
        using var library = new Ensemble([one.Model, two.Model]);

        var photo = Directory.EnumerateFiles(_dir["out/data/synthetic-pet/images"], "*.jpg").Order(StringComparer.Ordinal).First();
        var (exit, log) = CliProcess.Run("predict", photo, "--experiment", "tiny", "--ensemble", "--out", _dir["mask.png"], "--config", file);
        Assert.True(exit == 0, log);
        Assert.Contains("an ensemble of 2 (the mean of their class probabilities): 2 × simple-unet at 32²", log);
        using (var written = Image.Load<L8>(_dir["mask.png"]))
        {
            var bytes = new byte[written.Width * written.Height];
            written.CopyPixelDataTo(bytes);
            Assert.Equal(Predictor.Predict(library, photo, 32).Mask.Select(v => (byte)(v * 255)), bytes);
        }
        // The same two, named as files.
        (exit, log) = CliProcess.Run("predict", photo, "--checkpoint", _dir["seed1.safetensors"], "--checkpoint", _dir["seed2.safetensors"], "--out", _dir["files.png"], "--config", file);
        Assert.True(exit == 0, log);
        Assert.Equal(File.ReadAllBytes(_dir["mask.png"]), File.ReadAllBytes(_dir["files.png"]));

        (exit, log) = CliProcess.Run("score", _dir["seed1.safetensors"], _dir["seed2.safetensors"], "--ensemble", "--json", "--config", file);
        Assert.True(exit == 0, log);
        var rows = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([_dir["seed1.safetensors"], _dir["seed2.safetensors"], "ensemble of 2"], rows.Select(r => r.GetProperty("file").GetString()));
        using var test = TensorCache.Open(Path.Combine(PetSeg.Lab.Stages.PreprocessStage.CacheDir(config), "test.petc"));
        var expected = Evaluator.Run(library, test, 2, 16, NullProgressSink.Instance);
        Assert.Equal(expected.MeanIoU, rows[2].GetProperty("mean_iou").GetDouble(), 12);

        // ensemble: true evaluates the same two as a stage of the pipeline: the same figure, nothing retrained.
        File.WriteAllText(file, File.ReadAllText(file).Replace("tiny: { model: simple-unet, lr: 0.001 }", "tiny: { model: simple-unet, lr: 0.001, ensemble: true }", StringComparison.Ordinal));
        config = PipelineConfigLoader.Load(file);
        var runs = LabPipeline.Runner(config, NullProgressSink.Instance).Run("report");
        Assert.All(runs.Where(r => r.Stage.StartsWith("train-tiny-", StringComparison.Ordinal)), r => Assert.Equal(PetSeg.Workflow.Runner.StageOutcome.CacheHit, r.Outcome));
        Assert.Equal(PetSeg.Workflow.Runner.StageOutcome.Executed, runs.Single(r => r.Stage == "evaluate-tiny-ensemble").Outcome);
        var staged = PetSeg.Metrics.MetricsFile.Read(StoreEntryFiles.Of(_dir["out/store/objects"], runs, "evaluate-tiny-ensemble", "metrics.json"));
        Assert.Equal(expected.ConfusionMatrix, staged.Metrics.ConfusionMatrix);
        Assert.Matches(@"\| tiny \| 2 \| [\d.]+ ± [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", File.ReadAllText(_dir["out/report/report.md"]));
        Assert.Equal(expected.MeanIoU, double.Parse(PipelineLock.Read(_dir["pipeline.lock"]).Stages["evaluate-tiny-ensemble"].Metrics!["mean_iou"], System.Globalization.CultureInfo.InvariantCulture), 15);

        (exit, log) = CliProcess.Run("exp", "show", "--json", "--config", file); // a row of its own, beside the seeds'
        Assert.True(exit == 0, log);
        var table = System.Text.Json.JsonDocument.Parse(log[log.IndexOf('[')..]).RootElement.EnumerateArray().ToList();
        var ensembleRow = table.Single(r => r.GetProperty("experiment").GetString() == "tiny-ensemble");
        Assert.Equal("1,2", ensembleRow.GetProperty("params").GetProperty("seeds").GetString());
        Assert.Equal(expected.MeanIoU, ensembleRow.GetProperty("metrics").GetProperty("mean_iou").GetDouble(), 12);
        Assert.Contains(table, r => r.GetProperty("experiment").GetString() == "tiny-seed1");

        (exit, log) = CliProcess.Run("score", _dir["seed1.safetensors"], "--ensemble", "--config", file);
        Assert.Equal(2, exit);
        Assert.Contains("--ensemble scores several files as one: give two or more", log);
    }

    public void Dispose() => _dir.Dispose();
}
