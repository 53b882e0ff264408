using PetSeg.Compute;
using System.Text.Json;
using PetSeg.Metrics;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Metrics;

/// <summary>Every case in ../shared/fixtures/metrics, fed batch by batch as torchmetrics was, to 1e-6.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class TorchmetricsParityTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(SharedFixtures.Path("fixtures/metrics"), "m*_*.json").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_torchmetrics(string name) =>
        Compare(SharedFixtures.Path($"fixtures/metrics/{name}.json"), SharedFixtures.Path($"fixtures/metrics/{name}.safetensors"));

    /// <summary>
    /// Every target pixel ignored, written in the fixtures' format with torchmetrics' documented results (mean IoU NaN
    /// as the string "NaN", weighted F1 0, accuracy 0): the reader and the metrics handle it instead of throwing.
    /// </summary>
    [Fact]
    public void Every_pixel_ignored_gives_nan_mean_iou_and_zero_f1_and_accuracy()
    {
        using var scope = NewDisposeScope();
        using var dir = new TempDir();
        manual_seed(5);
        PyTorchCheckpointWriter.SaveSafetensors(dir["all_ignored.safetensors"],
        [
            new("preds", randint(0, 2, [3, 8, 8], dtype: ScalarType.Int64)),
            new("target", full([3, 8, 8], Scalars.Of(255L), dtype: ScalarType.Int64)),
            new("batch_splits", tensor(new long[] { 2, 1 })),
        ]);
        File.WriteAllText(dir["all_ignored.json"], """
            { "case": "all_ignored", "num_classes": 2, "ignore_index": 255, "valid_pixels": 0,
              "metrics": { "jaccard_macro": "NaN", "f1_weighted": 0.0, "accuracy": 0.0, "pixel_error": 1.0 },
              "confusion_matrix_rows_target_cols_pred": [[0, 0], [0, 0]] }
            """);
        Compare(dir["all_ignored.json"], dir["all_ignored.safetensors"]);
        var cm = new ConfusionMatrix(2, 255);
        cm.Update(randint(0, 2, [1, 4, 4], dtype: ScalarType.Int64), full([1, 4, 4], Scalars.Of(255L), dtype: ScalarType.Int64));
        Assert.True(double.IsNaN(SegmentationMetrics.From(cm).Dice)); // no class counted: undefined, like mean IoU
    }

    private static void Compare(string jsonPath, string tensorsPath)
    {
        using var scope = NewDisposeScope();
        var expected = JsonDocument.Parse(File.ReadAllText(jsonPath)).RootElement;
        var tensors = SafetensorsFile.Load(tensorsPath);
        var cm = new ConfusionMatrix(expected.GetProperty("num_classes").GetInt32(), expected.GetProperty("ignore_index").GetInt32());
        long start = 0;
        foreach (var size in tensors["batch_splits"].data<long>().ToArray())
        {
            cm.Update(tensors["preds"].narrow(0, start, size), tensors["target"].narrow(0, start, size));
            start += size;
        }
        var m = SegmentationMetrics.From(cm);
        var want = expected.GetProperty("metrics");
        FixtureJson.AssertClose(FixtureJson.Number(want.GetProperty("jaccard_macro")), m.MeanIoU, 1e-6, "jaccard_macro");
        FixtureJson.AssertClose(FixtureJson.Number(want.GetProperty("f1_weighted")), m.F1Weighted, 1e-6, "f1_weighted");
        FixtureJson.AssertClose(FixtureJson.Number(want.GetProperty("accuracy")), m.Accuracy, 1e-6, "accuracy");
        FixtureJson.AssertClose(FixtureJson.Number(want.GetProperty("pixel_error")), m.PixelError, 1e-6, "pixel_error");
        Assert.Equal(expected.GetProperty("valid_pixels").GetInt64(), m.ValidPixels);
        var rows = expected.GetProperty("confusion_matrix_rows_target_cols_pred").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(rows, cm.ToRows());
        if (!expected.TryGetProperty("per_class", out var perClass)) return;
        for (int c = 0; c < cm.NumClasses; c++)
        {
            FixtureJson.AssertClose(FixtureJson.Number(perClass.GetProperty("iou")[c]), m.PerClass[c].IoU, 1e-6, $"iou[{c}]");
            FixtureJson.AssertClose(FixtureJson.Number(perClass.GetProperty("f1")[c]), m.PerClass[c].F1, 1e-6, $"f1[{c}]");
            Assert.Equal(perClass.GetProperty("target_support")[c].GetInt64(), m.PerClass[c].Support);
        }
        // Dice is not among the fixture's metrics: torchmetrics' macro F1 is its per-class F1 averaged over the classes
        // it counts (the same classes as macro IoU), both of which the fixture gives.
        var counted = Enumerable.Range(0, cm.NumClasses).Where(c => perClass.GetProperty("counted_in_jaccard_macro")[c].GetBoolean()).ToList();
        var dice = counted.Count == 0 ? double.NaN : counted.Average(c => FixtureJson.Number(perClass.GetProperty("f1")[c]));
        FixtureJson.AssertClose(dice, m.Dice, 1e-6, "dice (macro F1)");
    }

    [Fact]
    public void Worked_example_from_the_reference_and_logits_are_argmaxed()
    {
        using var scope = NewDisposeScope();
        var cm = new ConfusionMatrix(2);
        var target = tensor(new long[] { 0, 0, 1, 1, 255, 1 }).reshape(1, 1, 6);
        var logits = tensor(new float[] { 1, 0, 0, 0, 1, 1,   0, 1, 1, 1, 0, 0 }).reshape(1, 2, 1, 6); // argmax = 0,1,1,1,0,0
        cm.Update(logits, target);
        var m = SegmentationMetrics.From(cm);
        Assert.Equal((1 / 3.0 + 1 / 2.0) / 2, m.MeanIoU, 1e-12);
        Assert.Equal(0.6, m.F1Weighted, 1e-12);
        Assert.Equal(0.4, m.PixelError, 1e-12);
    }

    [Fact]
    public void A_class_absent_from_target_and_predictions_is_left_out_of_the_mean()
    {
        using var scope = NewDisposeScope();
        var cm = new ConfusionMatrix(3);
        cm.Update(tensor(new long[] { 0, 1, 1, 0 }).reshape(1, 1, 4), tensor(new long[] { 0, 1, 0, 0 }).reshape(1, 1, 4));
        var m = SegmentationMetrics.From(cm);
        Assert.Equal((2 / 3.0 + 1 / 2.0) / 2, m.MeanIoU, 1e-12); // class 2 excluded, not averaged in as 0
        Assert.Throws<ArgumentException>(() => cm.Update(tensor(new long[] { 0 }).reshape(1, 1, 1), tensor(new long[] { 7 }).reshape(1, 1, 1)));
    }
}
