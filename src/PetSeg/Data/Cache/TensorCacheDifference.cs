using System.Globalization;

namespace PetSeg.Data.Cache;

/// <summary>
/// How two preprocessed caches of one split differ, by sample: which images and masks, in how many values and by how
/// much (decoding and resizing on another CPU or library build may move a pixel by one). For <c>run preprocess --check</c>.
/// </summary>
public static class TensorCacheDifference
{
    /// <summary>How many differing samples are named; the rest are counted.</summary>
    private const int Named = 3;

    /// <summary>Null where the caches hold the same samples, or where either cannot be read as a cache (the bytes then say it).</summary>
    public static string? Describe(string stored, string recomputed)
    {
        TensorCache a, b;
        try { a = TensorCache.Open(stored); }
        catch (Exception e) when (e is TensorCacheException or IOException) { return null; }
        using (a)
        {
            try { b = TensorCache.Open(recomputed); }
            catch (Exception e) when (e is TensorCacheException or IOException) { return null; }
            using (b) return Describe(a, b);
        }
    }

    private static string? Describe(TensorCache a, TensorCache b)
    {
        if ((a.Count, a.Height, a.Width, a.Header.Channels) != (b.Count, b.Height, b.Width, b.Header.Channels))
            return $"{Shape(a)} stored, {Shape(b)} now";
        var (x, y) = a.Entries.Zip(b.Entries).FirstOrDefault(p => p.First.Stem != p.Second.Stem);
        if (x is not null) return $"the samples are not the same ones in the same order (sample {a.Entries.ToList().IndexOf(x)}: {x.Stem} stored, {y.Stem} now)";
        var images = new List<string>();
        var masks = new List<string>();
        for (int i = 0; i < a.Count; i++)
        {
            if (Compare(a.Image(i), b.Image(i)) is { } image) images.Add($"{a.Entries[i].Stem}: {image}");
            if (Compare(a.Mask(i), b.Mask(i)) is { } mask) masks.Add($"{a.Entries[i].Stem}: {mask}");
        }
        if (images.Count == 0 && masks.Count == 0)
        {
            var sources = a.Entries.Zip(b.Entries).FirstOrDefault(p => p.First != p.Second);
            return sources.First is null ? null
                : $"the pixels are the same; {sources.First.Stem}'s original size is recorded as {sources.First.SourceWidth}×{sources.First.SourceHeight} stored, {sources.Second.SourceWidth}×{sources.Second.SourceHeight} now";
        }
        return string.Join("; ", new[] { Told(images, "image", a.Count), Told(masks, "mask", a.Count) }.Where(t => t is not null));
    }

    private static string? Told(List<string> found, string what, int count) => found.Count == 0 ? null
        : $"{found.Count.ToString("N0", CultureInfo.InvariantCulture)} of {count.ToString("N0", CultureInfo.InvariantCulture)} {what}s differ ({string.Join(", ", found.Take(Named))}" +
          (found.Count > Named ? $", … {(found.Count - Named).ToString("N0", CultureInfo.InvariantCulture)} more)" : ")");

    /// <summary>"17 values, by at most 1", or null where the bytes are equal.</summary>
    private static string? Compare(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        if (x.SequenceEqual(y)) return null;
        int values = 0, most = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int d = Math.Abs(x[i] - y[i]);
            if (d == 0) continue;
            values++;
            most = Math.Max(most, d);
        }
        return $"{values.ToString("N0", CultureInfo.InvariantCulture)} value(s), by at most {most}";
    }

    private static string Shape(TensorCache c) => $"{c.Count.ToString("N0", CultureInfo.InvariantCulture)} samples of {c.Header.Channels}×{c.Height}×{c.Width}";
}
