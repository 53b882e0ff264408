using PetSeg.Training;

namespace PetSeg.Reporting;

/// <summary>
/// Every experiment's training loss on one PNG (ScottPlot): its per-batch loss smoothed over a quarter epoch as a line
/// (x in epochs, so runs of different lengths and batch counts share the axis), and its per-epoch mean as points at
/// the end of each epoch, in the line's colour.
/// </summary>
public static class LossPlot
{
    /// <param name="losses">Each curve's loss where it is not the lab's cross-entropy (<c>loss:</c>): named in its legend
    /// and on the axis, since a Dice curve and a cross-entropy curve share the chart but not a scale.</param>
    public static string WriteAll(string path, string title, IReadOnlyDictionary<string, LossHistory> curves, IReadOnlyDictionary<string, string>? losses = null)
    {
        losses ??= new Dictionary<string, string>();
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int i = 0;
        foreach (var (name, history) in curves.Where(c => c.Value.EpochLosses.Count > 0))
        {
            var color = palette.GetColor(i++);
            var (x, y) = SmoothedBatches(history.BatchLosses);
            if (x.Length > 0)
            {
                var line = plot.Add.ScatterLine(x, y, color);
                line.LineWidth = 1.5f;
            }
            var points = plot.Add.ScatterPoints(Enumerable.Range(1, history.EpochLosses.Count).Select(e => (double)e).ToArray(),
                history.EpochLosses.ToArray(), color);
            points.MarkerSize = 7;
            points.LegendText = Legend(name, losses.GetValueOrDefault(name));
        }
        return PlotFile.WriteEpochChart(plot, path, title, "epoch (line: per-batch loss smoothed over ¼ epoch; points: epoch mean)",
            AxisLabel(curves.Keys.Where(k => curves[k].EpochLosses.Count > 0).Select(k => losses.GetValueOrDefault(k))));
    }

    /// <summary>A curve's legend: its name, and its loss where that is not cross-entropy.</summary>
    internal static string Legend(string name, string? loss) => loss is null ? name : $"{name} ({loss} loss)";

    /// <summary>The y axis: the loss all curves share, else a pointer to the legends.</summary>
    internal static string AxisLabel(IEnumerable<string?> losses) => losses.Distinct().ToList() switch
    {
        [] or [null] => "train loss (cross-entropy)",
        [var only] => $"train loss ({only})",
        _ => "train loss (ce unless named)", // short: a longer label is cut at the chart's edge
    };

    /// <summary>
    /// Batch b of epoch e (of n batches) sits at x = e + (b + 1) / n; y is the trailing mean of the last ⌈n / 4⌉
    /// batches (fewer at the start), so one noisy batch does not hide the trend and the curve never looks ahead.
    /// </summary>
    public static (double[] X, double[] Y) SmoothedBatches(IReadOnlyList<IReadOnlyList<double>> epochs)
    {
        var x = new List<double>();
        var all = new List<double>();
        int window = 1;
        for (int e = 0; e < epochs.Count; e++)
        {
            int n = epochs[e].Count;
            window = Math.Max(window, (n + 3) / 4);
            for (int b = 0; b < n; b++)
            {
                x.Add(e + (b + 1.0) / n);
                all.Add(epochs[e][b]);
            }
        }
        var y = new double[all.Count];
        for (int k = 0; k < all.Count; k++)
        {
            int from = Math.Max(0, k - window + 1); // summed afresh (not a running sum), so a flat stretch stays exact
            double sum = 0;
            for (int j = from; j <= k; j++) sum += all[j];
            y[k] = sum / (k - from + 1);
        }
        return (x.ToArray(), y);
    }
}
