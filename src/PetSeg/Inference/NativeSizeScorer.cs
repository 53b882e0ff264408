using PetSeg.Data.Cache;
using PetSeg.Data.Imaging;
using PetSeg.Metrics;

namespace PetSeg.Inference;

/// <summary>
/// Scores predictions at each test image's own size rather than at the cache's: each sample's labels, as the evaluation
/// predicts them, are brought back as <see cref="Predictor"/> brings a photo's back — a whole image's resized (nearest)
/// to its mask's size, a tiled image's tiles put together first (<see cref="TileGrid"/>) — and counted against the
/// dataset's mask as it is. The figure for the masks <c>predict</c> writes, where the lab's is for the resized ones.
/// </summary>
/// <param name="maskOf">An image's mask as labels at its own size, by stem.</param>
/// <param name="tileScale">The scale the cache's tiles were cut at (null: whole images).</param>
public sealed class NativeSizeScorer(ISampleSet test, Func<string, RawImage> maskOf, int numClasses, double? tileScale)
{
    private readonly ConfusionMatrix _counts = new(numClasses);
    private (string Stem, TileGrid Grid, byte[] Labels, int Placed)? _open; // the tiled image being put together
    private int _images;

    /// <summary>How many images have been scored.</summary>
    public int Images => _images;

    /// <summary>Sample <paramref name="index"/>'s predicted labels at the cache's size; samples come in cache order.</summary>
    public void Add(int index, ReadOnlySpan<byte> labels)
    {
        var e = test.Entries[index];
        if (e.Tile is not { } tile)
        {
            Score(e.Stem, labels, test.Width, test.Height);
            return;
        }
        var scale = tileScale ?? throw new InvalidOperationException($"{e.Name}: a tile, and no tile scale was given");
        if (_open is not { } open || open.Stem != e.Stem)
        {
            if (_open is { } unfinished) throw new InvalidOperationException($"{unfinished.Stem}: {unfinished.Placed} of its {unfinished.Grid.Count} tiles came before {e.Name}");
            var grid = TileGrid.For(e.SourceWidth, e.SourceHeight, scale, test.Width);
            open = (e.Stem, grid, new byte[grid.ScaledWidth * grid.ScaledHeight], 0);
        }
        open.Grid.Place(labels, tile.Row * open.Grid.Columns + tile.Column, open.Labels);
        open.Placed++;
        _open = open;
        if (open.Placed < open.Grid.Count) return;
        _open = null;
        Score(e.Stem, open.Labels, open.Grid.ScaledWidth, open.Grid.ScaledHeight);
    }

    /// <summary>An image's prediction already at its own size (<see cref="Predictor"/>'s, e.g. through sliding windows), scored against its mask.</summary>
    public void Add(string stem, Prediction prediction) => Score(stem, prediction.Mask, prediction.Width, prediction.Height);

    /// <summary>The metrics over every image added; each must be whole (all its tiles in).</summary>
    public NativeSizeMetrics Result()
    {
        if (_open is { } unfinished) throw new InvalidOperationException($"{unfinished.Stem}: {unfinished.Placed} of its {unfinished.Grid.Count} tiles were scored");
        return new NativeSizeMetrics(_images, SegmentationMetrics.From(_counts));
    }

    private void Score(string stem, ReadOnlySpan<byte> labels, int width, int height)
    {
        var mask = maskOf(stem);
        _counts.Add(Resize.Nearest(labels, width, height, mask.Width, mask.Height), mask.Pixels);
        _images++;
    }
}
