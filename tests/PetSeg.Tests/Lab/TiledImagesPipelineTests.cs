using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.Inference;
using PetSeg.Lab;
using PetSeg.Metrics;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Store;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>preprocess.tiles</c> end to end: images cut into tiles rather than squeezed whole are trained, validated, scored
/// and reported on those tiles, every pixel once; and <c>predict</c> segments a photo exactly as the evaluation saw it.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class TiledImagesPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 70, max_width: 90, min_height: 50, max_height: 70 } }
        preprocess: { image_size: 32, tiles: { scale: 0.75 } }
        weights: { source: synthetic }
        training: { epochs: 1, batch_size: 4 }
        experiments:
          tiny: { model: simple-unet, lr: 0.001, validation: 0.25 }
          untrained: { model: segformer-mit_b0, epochs: 0, native_metrics: true }  # a random decoder: masks of both classes
        report:
          title: Tiles
          tables: [ { title: Tiles, rows: [ { label: Tiny, experiment: tiny } ] } ]
        """;

    [Fact]
    public void Tiles_are_trained_scored_every_pixel_once_reported_and_predicted_as_evaluated()
    {
        File.WriteAllText(_dir["pipeline.yaml"], Yaml);
        var config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        var ui = new ProgressLines();
        var runs = LabPipeline.Runner(config, ui).Run("report");
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.Contains(ui.All, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^preprocess: test: \d pairs scaled by 0\.75 and cut into \d+ tiles of 32×32 in "));
        Assert.Contains(ui.All, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^evaluate-tiny: on the \d+ tiles of \d images held out of training for validation: mean IoU "));

        // Every test pixel at the scaled size is scored once: the padding past each image's edge is not a pixel.
        var dataset = OxfordPetDataset.Open(_dir["out/data/synthetic-pet"], "test");
        long pixels = 0;
        foreach (var sample in dataset.Samples)
        {
            var (image, mask) = OxfordPetDataset.LoadPair(sample);
            pixels += TileGrid.For(image.Width, image.Height, 0.75, 32).ScaleMask(mask).Count(v => v != SegmentationLabels.IgnoreIndex);
        }
        var record = MetricsFile.Read(StoreEntryFiles.Of(_dir["out/store/objects"], runs, "evaluate-untrained", "metrics.json"));
        var metrics = record.Metrics;
        Assert.Equal(pixels, metrics.ValidPixels);
        // At the images' own size: the tiles put together and scaled back, as predict writes them.
        var native = NativeSizeMetricsTests.ScoreOfPredict(_dir["pipeline.yaml"], "untrained", _dir["out/data/synthetic-pet"]);
        Assert.Equal(native.ConfusionMatrix, record.Native!.Metrics.ConfusionMatrix);
        Assert.Equal(dataset.Samples.Count, record.Native.Images);
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("| Experiment | mean IoU at 32×32 tiles | mean IoU |", report);
        Assert.Contains("Each image was scaled by 0.75, its aspect kept, and cut into 32×32 tiles (`preprocess.tiles`)", report);
        Assert.Contains("(tile 0,1)", File.ReadAllText(StoreEntryFiles.Of(_dir["out/store/objects"], runs, "evaluate-tiny", "per-image-iou.json")));

        // predict cuts a photo as preprocessing did: its mask, scaled back to the tiles' size, is the argmax the
        // evaluation took over the cached tiles of that photo, tile for tile.
        var photo = dataset.Samples[0];
        var (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--out", _dir["mask.png"], "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("segformer-mit_b0 at 32² tiles of each image scaled by 0.75", log);
        using var loaded = PredictionModel.Load(TrainedExperiment.Find(config, LabPipeline.Runner(config, NullProgressSink.Instance), "untrained").WeightsPath);
        Assert.Equal(0.75, loaded.Spec.TileScale); // recorded in the checkpoint
        var predicted = Predictor.Predict(loaded.Model, photo.ImagePath, 32, loaded.Spec.TileScale);
        Assert.Equal(new byte[] { 0, 1 }, predicted.Mask.Distinct().Order()); // a mask of both classes: the checks below can tell tiles apart
        using (var written = Image.Load<L8>(_dir["mask.png"]))
        {
            var bytes = new byte[written.Width * written.Height];
            written.CopyPixelDataTo(bytes);
            Assert.Equal(predicted.Mask.Select(v => (byte)(v * 255)), bytes);
        }

        using var test = TensorCache.Open(Path.Combine(PetSeg.Lab.Stages.PreprocessStage.CacheDir(config), "test.petc"));
        var tiles = Enumerable.Range(0, test.Count).Where(i => test.Entries[i].Stem == photo.Stem).ToArray();
        var first = test.Entries[tiles[0]];
        var grid = TileGrid.For(first.SourceWidth, first.SourceHeight, 0.75, 32);
        Assert.Equal(grid.Count, tiles.Length);
        Assert.True(grid.Count > 1);
        var scaled = new byte[grid.ScaledWidth * grid.ScaledHeight];
        using (var scope = NewDisposeScope())
        {
            loaded.Model.eval();
            var (images, _) = test.ReadBatch(tiles);
            var classes = ClassPredictor.PredictClasses(loaded.Model, images).cpu().data<byte>().ToArray();
            for (int t = 0; t < tiles.Length; t++) grid.Place(classes.AsSpan(t * 32 * 32, 32 * 32), t, scaled);
        }
        Assert.Equal(Resize.Nearest(scaled, grid.ScaledWidth, grid.ScaledHeight, first.SourceWidth, first.SourceHeight), predicted.Mask);

        // --overlap: windows slid over the same scaled photo, their probabilities blended; the mask moves where tiles met, not wholesale.
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--overlap", "0.5", "--out", _dir["overlap.png"], "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("segformer-mit_b0 at 32² windows overlapping by 0.5 of each image scaled by 0.75", log);
        var blended = Predictor.Predict(loaded.Model, photo.ImagePath, 32, loaded.Spec.TileScale, overlap: 0.5);
        using (var written = Image.Load<L8>(_dir["overlap.png"]))
        {
            var bytes = new byte[written.Width * written.Height];
            written.CopyPixelDataTo(bytes);
            Assert.Equal(blended.Mask.Select(v => (byte)(v * 255)), bytes);
        }
        double agree = blended.Mask.Zip(predicted.Mask).Count(p => p.First == p.Second) / (double)predicted.Mask.Length;
        Assert.InRange(agree, 0.5, 0.9999); // another mask, of the same photo
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--tiles", "none", "--overlap", "0.5", "--config", _dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("--overlap slides windows over a tiled image, and --tiles none feeds each image whole", log);
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--overlap", "0.95", "--config", _dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("--overlap is a fraction from 0 to 0.9 (0.5 is usual), not 0.95", log);

        // overlap: 0.5 in the pipeline: an evaluation setting (nothing retrains) whose own-size scores are those of
        // predict --overlap 0.5's masks, which predict --experiment then writes by default.
        File.WriteAllText(_dir["pipeline.yaml"], Yaml.Replace("epochs: 0, native_metrics: true }", "epochs: 0, overlap: 0.5 }", StringComparison.Ordinal));
        config = PipelineConfigLoader.Load(_dir["pipeline.yaml"]);
        ui = new ProgressLines();
        runs = LabPipeline.Runner(config, ui).Run("report");
        Assert.Equal(StageOutcome.CacheHit, runs.Single(r => r.Stage == "train-untrained").Outcome);
        Assert.Equal(StageOutcome.Executed, runs.Single(r => r.Stage == "evaluate-untrained").Outcome);
        Assert.Contains(ui.All, l => l.StartsWith("evaluate-untrained: at the 4 test images' own size through windows overlapping by 0.5: ", StringComparison.Ordinal));
        var windowed = MetricsFile.Read(StoreEntryFiles.Of(_dir["out/store/objects"], runs, "evaluate-untrained", "metrics.json"));
        Assert.Equal(metrics.ConfusionMatrix, windowed.Metrics.ConfusionMatrix); // the cache's tiles are scored as before
        Assert.Equal(NativeSizeMetricsTests.ScoreOfPredict(_dir["pipeline.yaml"], "untrained", _dir["out/data/synthetic-pet"], overlap: 0.5).ConfusionMatrix,
            windowed.Native!.Metrics.ConfusionMatrix);
        Assert.NotEqual(record.Native.Metrics.ConfusionMatrix, windowed.Native.Metrics.ConfusionMatrix);
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--out", _dir["default.png"], "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("windows overlapping by 0.5 of each image scaled by 0.75", log);
        Assert.Equal(File.ReadAllBytes(_dir["overlap.png"]), File.ReadAllBytes(_dir["default.png"]));

        // An ONNX export says how to feed it.
        (exit, log) = CliProcess.Run("export", "tiny", "--format", "onnx", "--out", _dir["tiny.onnx"], "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("trained on 32² tiles of images scaled by 0.75 (metadata petseg.image_size, petseg.tile_scale)", log);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(_dir["tiny.onnx"]))
            Assert.Equal("0.75", session.ModelMetadata.CustomMetadataMap["petseg.tile_scale"]);

        // --tiles none: the whole photo squeezed into one 32² input, another mask; a bad scale is refused before anything loads.
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--tiles", "none", "--out", _dir["whole.png"], "--config", _dir["pipeline.yaml"]);
        Assert.True(exit == 0, log);
        Assert.Contains("segformer-mit_b0 at 32², epoch", log);
        (exit, log) = CliProcess.Run("predict", photo.ImagePath, "--experiment", "untrained", "--tiles", "half", "--config", _dir["pipeline.yaml"]);
        Assert.Equal(2, exit);
        Assert.Contains("--tiles is a scale (0.01 to 8, e.g. 0.5) or none, not 'half'", log);
    }

    public void Dispose() => _dir.Dispose();
}
