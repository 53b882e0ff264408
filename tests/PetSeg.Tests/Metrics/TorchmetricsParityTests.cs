using System.Text.Json;
using PetSeg.Metrics;
using PetSeg.Models.Weights;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Metrics;

/// <summary>Every case in ../shared/fixtures/metrics, fed batch by batch as torchmetrics was, to 1e-6.</summary>
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
    public void Matches_torchmetrics(string name)
    {
        using var scope = NewDisposeScope();
        var expected = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path($"fixtures/metrics/{name}.json"))).RootElement;
        var tensors = SafetensorsFile.Load(SharedFixtures.Path($"fixtures/metrics/{name}.safetensors"));
        var cm = new ConfusionMatrix(expected.GetProperty("num_classes").GetInt32(), expected.GetProperty("ignore_index").GetInt32());
        long start = 0;
        foreach (var size in tensors["batch_splits"].data<long>().ToArray())
        {
            cm.Update(tensors["preds"].narrow(0, start, size), tensors["target"].narrow(0, start, size));
            start += size;
        }
        var m = SegmentationMetrics.From(cm);
        var want = expected.GetProperty("metrics");
        Assert.Equal(want.GetProperty("jaccard_macro").GetDouble(), m.MeanIoU, 1e-6);
        Assert.Equal(want.GetProperty("f1_weighted").GetDouble(), m.F1Weighted, 1e-6);
        Assert.Equal(want.GetProperty("accuracy").GetDouble(), m.Accuracy, 1e-6);
        Assert.Equal(want.GetProperty("pixel_error").GetDouble(), m.PixelError, 1e-6);
        Assert.Equal(expected.GetProperty("valid_pixels").GetInt64(), m.ValidPixels);
        var rows = expected.GetProperty("confusion_matrix_rows_target_cols_pred").EnumerateArray()
            .Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(rows, cm.ToRows());
        var perClass = expected.GetProperty("per_class");
        for (int c = 0; c < cm.NumClasses; c++)
        {
            Assert.Equal(perClass.GetProperty("iou")[c].GetDouble(), m.PerClass[c].IoU, 1e-6);
            Assert.Equal(perClass.GetProperty("f1")[c].GetDouble(), m.PerClass[c].F1, 1e-6);
            Assert.Equal(perClass.GetProperty("target_support")[c].GetInt64(), m.PerClass[c].Support);
        }
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
