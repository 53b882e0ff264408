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
        // Source sizes are only known after decoding, so the index is written after the slots.
        var entries = new TensorCacheEntry[samples.Count];
        var provisional = TensorCacheHeader.ForSamples(samples.Count, o.Height, o.Width, 0);
        long maxIndex = samples.Sum(s => (long)System.Text.Encoding.UTF8.GetByteCount(s.Stem) + 24);
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
                            var resized = Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, o.Width, o.Height);
                            var maskResized = Resize.Nearest(mask.Pixels, mask.Width, mask.Height, o.Width, o.Height);
                            var imgSlot = new Span<byte>((byte*)ptr + provisional.ImagesOffset + i * provisional.ImageBytes, (int)provisional.ImageBytes);
                            HwcToChw(resized, imgSlot, o.Width * o.Height);
                            maskResized.CopyTo(new Span<byte>((byte*)ptr + provisional.MasksOffset + i * provisional.MaskBytes, (int)provisional.MaskBytes));
                            entries[i] = new TensorCacheEntry(samples[i].Stem, image.Width, image.Height);
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
            return new PreprocessResult(outPath, samples.Count, check.Digest, []);
        }
        finally { AtomicFile.TryDelete(tmp); }
    }

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
