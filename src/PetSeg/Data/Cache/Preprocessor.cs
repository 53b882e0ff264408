using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.IO;

namespace PetSeg.Data.Cache;

/// <summary>
/// Decodes each pair once, resizes it (bilinear image, nearest mask, as the lab's first transform does) and writes
/// the split's <c>.petc</c> cache. Samples are decoded in parallel straight into their fixed slots of a
/// memory-mapped temp file, so the content does not depend on scheduling; the file is published by rename.
/// </summary>
public static class Preprocessor
{
    public static PreprocessResult Run(OxfordPetDataset dataset, string outPath, PreprocessOptions options,
                                       IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var samples = dataset.Samples;
        var skipped = dataset.Skipped.ToList();
        var failures = new ConcurrentDictionary<int, string>();
        var result = Write(samples, outPath, options, failures, progress, ct);
        if (failures.IsEmpty) return result with { Skipped = skipped };

        var report = failures.OrderBy(f => f.Key).Select(f => f.Value).ToList();
        if (!options.SkipBadSamples)
        {
            AtomicFile.TryDelete(outPath);
            throw new DatasetException($"{report.Count} sample(s) of split '{dataset.Split}' could not be decoded:\n  " + string.Join("\n  ", report) +
                                       "\nFix or re-download them, or set preprocess.skip_bad_samples: true in pipeline.yaml to leave them out.");
        }
        // Rare path: write again without the unreadable samples.
        var good = samples.Where((_, i) => !failures.ContainsKey(i)).ToList();
        var retry = new ConcurrentDictionary<int, string>();
        result = Write(good, outPath, options, retry, progress, ct);
        if (!retry.IsEmpty) throw new DatasetException($"decoding is not repeatable: {string.Join("; ", retry.Values)}");
        return result with { Skipped = skipped.Concat(report).ToList() };
    }

    private static unsafe PreprocessResult Write(IReadOnlyList<PetSample> samples, string outPath, PreprocessOptions o,
        ConcurrentDictionary<int, string> failures, IProgress<int>? progress, CancellationToken ct)
    {
        // Source sizes are only known after decoding, so the index is written after the slots. With tiles, each image's
        // first slot follows from the sizes its header gives, read first, so the images still decode in parallel.
        var slots = o.TileScale is { } scale ? SlotsOfTiles(samples, scale, o, failures, ct) : null;
        if (!failures.IsEmpty) return new PreprocessResult(outPath, 0, "", []);
        int count = slots is null ? samples.Count : slots.First[^1];
        var entries = new TensorCacheEntry[count];
        var provisional = TensorCacheHeader.ForSamples(count, o.Height, o.Width, 0);
        long maxIndex = Enumerable.Range(0, samples.Count).Sum(i => (System.Text.Encoding.UTF8.GetByteCount(samples[i].Stem) + 48L) * (slots is null ? 1 : slots.First[i + 1] - slots.First[i]));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(outPath))!);
        var tmp = AtomicFile.TempPathFor(outPath);
        try
        {
            TensorCacheHeader header;
            long capacity = provisional.FileLength + maxIndex;
            using (var file = Reserve(tmp, capacity, $"preprocessing {samples.Count} image(s) at {o.Width}×{o.Height}"))
            using (var map = MemoryMappedFile.CreateFromFile(file, null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false))
            using (var view = map.CreateViewAccessor())
            {
                byte* basePtr = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
                basePtr += view.PointerOffset;
                try
                {
                    int done = 0;
                    var ptr = (nint)basePtr;
                    Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism, CancellationToken = ct }, i =>
                    {
                        try
                        {
                            var (image, mask) = OxfordPetDataset.LoadPair(samples[i]);
                            Span<byte> ImageSlot(long slot) => new((byte*)ptr + provisional.ImagesOffset + slot * provisional.ImageBytes, (int)provisional.ImageBytes);
                            Span<byte> MaskSlot(long slot) => new((byte*)ptr + provisional.MasksOffset + slot * provisional.MaskBytes, (int)provisional.MaskBytes);
                            if (slots is null)
                            {
                                var resized = Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, o.Width, o.Height);
                                HwcToChw(resized, ImageSlot(i), o.Width * o.Height);
                                Resize.Nearest(mask.Pixels, mask.Width, mask.Height, o.Width, o.Height).CopyTo(MaskSlot(i));
                                entries[i] = new TensorCacheEntry(samples[i].Stem, image.Width, image.Height);
                            }
                            else
                            {
                                var grid = TileGrid.For(image.Width, image.Height, o.TileScale!.Value, o.Width);
                                int first = slots.First[i];
                                if (grid.Count != slots.First[i + 1] - first) // the header said another size than the pixels have
                                    throw new ImageDecodeException(samples[i].ImagePath, $"decodes to {image.Width}×{image.Height}, not the size its header gives");
                                var (scaledImage, scaledMask) = (grid.ScaleImage(image), grid.ScaleMask(mask));
                                var tile = new byte[o.Width * o.Width * 3];
                                for (int t = 0; t < grid.Count; t++)
                                {
                                    grid.Cut(scaledImage, 3, t, TileGrid.ImagePadding, tile);
                                    HwcToChw(tile, ImageSlot(first + t), o.Width * o.Width);
                                    grid.Cut(scaledMask, 1, t, TileGrid.MaskPadding, MaskSlot(first + t));
                                    var (row, column) = grid.Position(t);
                                    entries[first + t] = new TensorCacheEntry(samples[i].Stem, image.Width, image.Height, new TilePosition(row, column));
                                }
                            }
                        }
                        catch (ImageDecodeException e) { failures[i] = e.Message; }
                        progress?.Report(Interlocked.Increment(ref done));
                    });
                    if (!failures.IsEmpty) return new PreprocessResult(outPath, 0, "", []);

                    var index = TensorCacheHeader.EncodeIndex(entries);
                    header = provisional with { IndexLength = index.Length };
                    index.CopyTo(new Span<byte>(basePtr + header.IndexOffset, index.Length));
                    header.WriteTo(new Span<byte>(basePtr, TensorCacheHeader.HeaderSize));
                    var digest = TensorCache.HashPayload(basePtr, header.PayloadEnd);
                    var trailer = new Span<byte>(basePtr + header.PayloadEnd, TensorCacheHeader.TrailerSize);
                    Convert.FromHexString(digest[Digest.Prefix.Length..]).CopyTo(trailer);
                    TensorCacheHeader.EndMagic.CopyTo(trailer[16..]);
                    view.Flush();
                }
                finally { view.SafeMemoryMappedViewHandle.ReleasePointer(); }
            }
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.Write)) { fs.SetLength(header.FileLength); fs.Flush(true); }
            File.Move(tmp, outPath, overwrite: true);
            using var check = TensorCache.Open(outPath, verify: false);
            return new PreprocessResult(outPath, check.Count, check.Digest, []); // samples: pairs, or tiles
        }
        finally { AtomicFile.TryDelete(tmp); }
    }

    /// <summary>Tile mode: each image's first slot (<c>First[i]</c>; <c>First[^1]</c> = the total), from the sizes the files' headers give.</summary>
    private static TileSlots SlotsOfTiles(IReadOnlyList<PetSample> samples, double scale, PreprocessOptions o, ConcurrentDictionary<int, string> failures, CancellationToken ct)
    {
        if (o.Width != o.Height) throw new ArgumentException($"tiles are square; {o.Width}×{o.Height} asked", nameof(o));
        var counts = new int[samples.Count];
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism, CancellationToken = ct }, i =>
        {
            try
            {
                var (width, height) = ImageLoader.Size(samples[i].ImagePath);
                counts[i] = TileGrid.For(width, height, scale, o.Width).Count;
            }
            catch (ImageDecodeException e) { failures[i] = e.Message; }
        });
        var first = new int[samples.Count + 1];
        for (int i = 0; i < samples.Count; i++)
            first[i + 1] = checked(first[i] + counts[i]);
        return new TileSlots(first);
    }

    private sealed record TileSlots(int[] First);

    /// <summary>
    /// Creates the cache file with its bytes reserved on the disk (posix_fallocate) before it is mapped: a mapped page
    /// the disk cannot back kills the process with SIGBUS when it is written, where a reservation fails as an error.
    /// </summary>
    private static FileStream Reserve(string tmp, long capacity, string what)
    {
        var folder = Path.GetDirectoryName(tmp)!;
        DiskSpace.Ensure(folder, capacity, what);
        try { return new FileStream(tmp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, PreallocationSize = capacity }); }
        catch (IOException e) when (!File.Exists(tmp) && DiskSpace.FreeBytes(tmp) is { } free && free < capacity) // filled since the check
        {
            throw new NotEnoughDiskSpaceException(folder, capacity, free, what, e.Message);
        }
    }

    private static void HwcToChw(ReadOnlySpan<byte> hwc, Span<byte> chw, int plane)
    {
        for (int p = 0; p < plane; p++)
        {
            chw[p] = hwc[3 * p];
            chw[plane + p] = hwc[3 * p + 1];
            chw[2 * plane + p] = hwc[3 * p + 2];
        }
    }
}
