using PetSeg.Metrics;
using static TorchSharp.torch;

namespace PetSeg.Tests.Metrics;

/// <summary>Values outside the classes are refused, naming which side holds them (one read-back checks both).</summary>
public sealed class ConfusionMatrixRangeTests
{
    [Fact]
    public void Out_of_range_targets_and_predictions_are_refused_and_named()
    {
        using var scope = NewDisposeScope();
        var cm = new ConfusionMatrix(2);
        var ok = tensor(new byte[] { 0, 1, 255, 1 }).view(1, 2, 2);
        var badTarget = tensor(new byte[] { 0, 3, 255, 1 }).view(1, 2, 2);
        var badPreds = tensor(new byte[] { 0, 1, 1, 2 }).view(1, 2, 2);
        Assert.Contains("target holds values outside 0..1", Assert.Throws<ArgumentException>(() => cm.Update(ok, badTarget)).Message);
        Assert.Contains("predictions hold values outside 0..1", Assert.Throws<ArgumentException>(() => cm.Update(badPreds, ok)).Message);
        cm.Update(ok, ok);
        Assert.Equal([[1L, 0], [0, 2]], cm.ToRows()); // the ignored pixel is not counted
    }
}
