using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Metrics;
using PetSeg.Models;
using PetSeg.Reporting;
using PetSeg.Tests.Support;
using PetSeg.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace PetSeg.Tests.Inference;

/// <summary>
/// A test set whose every target pixel is the ignored border (trimap value 3): torchmetrics gives mean IoU NaN,
/// weighted F1 0 and accuracy 0. That goes through the evaluator, into metrics.json and back, and into the report as
/// "n/a" with a note, never a crash.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class AllIgnoredEvaluationTests
{
    [Fact]
    public void Evaluator_metrics_file_and_report_handle_a_test_set_with_no_valid_pixel()
    {
        using var dir = new TempDir();
        var layout = SyntheticPetGenerator.WriteLayout(dir["pets"], new SyntheticPetOptions { Count = 6, Seed = 4, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44, Quirks = false });
        foreach (var trimap in Directory.EnumerateFiles(Path.Combine(layout.Root, "annotations", "trimaps"), "*.png"))
        {
            var info = Image.Identify(trimap);
            using var border = new Image<L8>(info.Width, info.Height, new L8(3)); // 3 = border, ignored as 255
            border.SaveAsPng(trimap);
        }
        var cachePath = Preprocessor.Run(OxfordPetDataset.Open(layout.Root, "test"), dir["test.petc"], new PreprocessOptions(32, 32)).Path;

        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = ModelZoo.Create(new ModelSpec(ModelZoo.SimpleUnet));
        SegmentationMetrics m;
        using (var cache = TensorCache.Open(cachePath)) m = Evaluator.Run(model, cache, 2, 4, NullProgressSink.Instance);
        Assert.Equal(0, m.ValidPixels);
        Assert.True(double.IsNaN(m.MeanIoU));
        Assert.Equal(0, m.F1Weighted);
        Assert.Equal(0, m.Accuracy);

        var file = MetricsFile.Write(dir["metrics.json"], new MetricsRecord("empty", "All ignored", 42, "xxh128:0", 1, m));
        Assert.Contains("\"mean_iou\": \"NaN\"", File.ReadAllText(file));
        var back = MetricsFile.Read(file).Metrics;
        Assert.True(double.IsNaN(back.MeanIoU));
        Assert.Equal(0, back.F1Weighted);

        var tables = ReportWriter.Tables(new ReportConfig("t", [new ReportTable("All ignored", [new ReportRow("Simple UNet", "empty")])], 0),
            new Dictionary<string, SegmentationMetrics> { ["empty"] = back });
        var row = tables.Split('\n').Single(l => l.Contains("Simple UNet", StringComparison.Ordinal));
        Assert.EndsWith("n/a |", row.TrimEnd());
        Assert.DoesNotContain("nan", tables);
        Assert.Contains("n/a: no valid pixel", tables);
        var perClass = PerClassTable.Render(new Dictionary<string, IReadOnlyList<SeedRun>> { ["empty"] = [new SeedRun(42, back)] });
        Assert.EndsWith("| n/a |", perClass.Split('\n').Single(l => l.StartsWith("| empty |", StringComparison.Ordinal)));
    }
}
