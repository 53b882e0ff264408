using PetSeg.Metrics;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Metrics;

public sealed class MetricsFileTests
{
    [Fact]
    public void Dice_is_written_read_back_and_absent_from_older_files_as_nan()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var cm = new ConfusionMatrix(2, 255);
        cm.Update(tensor(new long[] { 0, 0, 1, 1, 1, 0 }).reshape(1, 2, 3), tensor(new long[] { 0, 1, 1, 1, 255, 0 }).reshape(1, 2, 3));
        var m = SegmentationMetrics.From(cm);
        // class 0: tp 2, fp 1 (a target-1 pixel predicted 0), fn 0 → F1 0.8; class 1: tp 2, fp 0, fn 1 → 0.8; the ignored pixel counts nowhere
        Assert.Equal(0.8, m.Dice, 12);

        var file = MetricsFile.Write(dir["metrics.json"], new MetricsRecord("x", "X", 1, "xxh128:0", 1, m));
        Assert.Contains("\"dice\": 0.8", File.ReadAllText(file));
        Assert.Equal(m.Dice, MetricsFile.Read(file).Metrics.Dice);
        Assert.Equal("0.8", HeadlineMetrics.Strings(m)["dice"]); // what pipeline.lock records

        File.WriteAllText(file, File.ReadAllText(file).Replace("\"dice\": 0.8,", "").Replace(",\n    \"dice\": 0.8", ""));
        Assert.DoesNotContain("dice", File.ReadAllText(file));
        Assert.True(double.IsNaN(MetricsFile.Read(file).Metrics.Dice)); // written before Dice was recorded
    }
}
