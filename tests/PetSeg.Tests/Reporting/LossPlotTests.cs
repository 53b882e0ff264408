using PetSeg.Reporting;
using PetSeg.Tests.Support;
using PetSeg.Training;

namespace PetSeg.Tests.Reporting;

public sealed class LossPlotTests
{
    [Fact]
    public void Batches_sit_at_fractional_epochs_and_are_averaged_over_a_trailing_quarter_epoch()
    {
        // Two epochs of 8 batches: window ⌈8 / 4⌉ = 2.
        double[] first = [8, 6, 4, 2, 2, 2, 2, 2], second = [1, 1, 1, 1, 1, 1, 1, 3];
        var (x, y) = LossPlot.SmoothedBatches([first, second]);
        Assert.Equal(16, x.Length);
        Assert.Equal(0.125, x[0], 12);
        Assert.Equal(1.0, x[7], 12);
        Assert.Equal(2.0, x[15], 12);
        Assert.Equal([8, 7, 5, 3, 2, 2, 2, 2, 1.5, 1, 1, 1, 1, 1, 1, 2], y);
    }

    [Fact]
    public void Epochs_with_a_single_batch_are_not_smoothed_and_the_chart_is_a_png()
    {
        var (_, y) = LossPlot.SmoothedBatches([[0.9], [0.5], [0.4]]);
        Assert.Equal([0.9, 0.5, 0.4], y);

        using var dir = new TempDir();
        var curves = new Dictionary<string, LossHistory>
        {
            ["a"] = new("a", [0.6, 0.4], [[0.7, 0.5], [0.45, 0.35]]),
            ["untrained"] = new("untrained", [], []), // no epochs: left out, not an empty line
        };
        var path = LossPlot.WriteAll(dir["loss.png"], "training loss", curves);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public void A_curve_of_another_loss_is_named_in_its_legend_and_on_the_axis()
    {
        Assert.Equal("unet-base", LossPlot.Legend("unet-base", null));
        Assert.Equal("sweep-2 (dice loss)", LossPlot.Legend("sweep-2", "dice"));
        Assert.Equal("train loss (cross-entropy)", LossPlot.AxisLabel([null, null]));
        Assert.Equal("train loss (cross-entropy)", LossPlot.AxisLabel([]));
        Assert.Equal("train loss (jaccard)", LossPlot.AxisLabel(["jaccard", "jaccard"]));
        Assert.Equal("train loss (ce unless named)", LossPlot.AxisLabel([null, "dice"]));
    }
}
