using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using PetSeg.Data.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Data.Dataset;

/// <summary>
/// Brings a folder dataset (<see cref="FolderDatasetOptions"/>) into Oxford-IIIT Pet's layout — images as they are,
/// masks as trimaps, the two split lists — so everything after it (preprocess, training, evaluation) reads it exactly
/// as it reads the lab's data. Every problem of the folder is found and reported at once: images without masks and
/// masks without images, names that clash, masks in colour or 16 bits or of another size than their image.
/// </summary>
public static class FolderDatasetImporter
{
    public static readonly IReadOnlyList<string> ImageExtensions = [".jpg", ".jpeg", ".png", ".gif", ".bmp"];
    /// <summary>Lossless formats only: a JPEG's values blur at every edge (named as a problem, not passed over).</summary>
    public static readonly IReadOnlyList<string> MaskExtensions = [".png", ".bmp", ".gif"];

    /// <summary>The most problems a message lists one by one.</summary>
    private const int Listed = 20;

    /// <summary>
    /// The pairs (of the test folders too, where given), ordered by name; a folder with problems is refused with all of
    /// them at once.
    /// </summary>
    /// <param name="skipped">Where a file that makes no pair goes instead of refusing the folder (<c>preprocess.skip_bad_samples</c>), or null.</param>
    /// <param name="withoutMasks">With <see cref="FolderDatasetOptions.SkipImagesWithoutMasks"/>: where the images passed over go, or null.</param>
    public static IReadOnlyList<FolderPair> Pairs(FolderDatasetOptions o, List<string>? skipped = null, List<string>? withoutMasks = null)
    {
        var problems = new List<string>();
        var unmasked = o.SkipImagesWithoutMasks ? withoutMasks ?? [] : problems;
        var found = Pair(o.ImagesDir, o.MasksDir, o.MaskSuffix, problems, unmasked);
        if (o.TestImagesDir is not null && o.TestMasksDir is not null) found.AddRange(Pair(o.TestImagesDir, o.TestMasksDir, o.MaskSuffix, problems, unmasked));

        var pairs = new List<FolderPair>();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (stem, image, mask) in found.OrderBy(p => p.Stem, StringComparer.Ordinal).ThenBy(p => p.Image, StringComparer.Ordinal))
        {
            var name = NameOf(stem);
            if (names.TryGetValue(name, out var other)) { problems.Add($"{image}: takes the name '{name}' that {other} takes too (blanks become '_'); rename one"); continue; }
            names[name] = image;
            pairs.Add(new FolderPair(name, image, mask));
        }
        if (skipped is not null) skipped.AddRange(problems);
        else Refuse(problems, o.TestImagesDir is null ? $"the folder dataset ({o.ImagesDir}, {o.MasksDir})" : $"the folder dataset ({o.ImagesDir}, {o.MasksDir}, {o.TestImagesDir}, {o.TestMasksDir})");
        if (pairs.Count < 2) throw new DatasetException($"{o.ImagesDir}: {pairs.Count} image(s) with a mask; a dataset needs at least 2, one for each split");
        return pairs;
    }

    /// <summary>One folder of images with its folder of masks: the pairs, and every unpaired file as a problem.</summary>
    /// <param name="unmasked">Where an image without a mask is told: <paramref name="problems"/>, or a list of those passed over.</param>
    private static List<(string Stem, string Image, string Mask)> Pair(string imagesDir, string masksDir, string suffix, List<string> problems, List<string> unmasked)
    {
        if (!Directory.Exists(imagesDir)) throw new DatasetException($"{imagesDir}: the images folder does not exist (dataset.folder in pipeline.yaml names it)");
        if (!Directory.Exists(masksDir)) throw new DatasetException($"{masksDir}: the masks folder does not exist (dataset.folder in pipeline.yaml names it)");
        if (Path.GetFullPath(imagesDir) == Path.GetFullPath(masksDir))
            throw new DatasetException($"{imagesDir}: images and masks are the same folder; keep the masks in a folder of their own, each named as its image");
        var images = ByStem(imagesDir, ImageExtensions, "image", problems);
        var masks = ByStem(masksDir, MaskExtensions, "mask", problems, suffix);
        foreach (var (stem, path) in images.Where(i => !masks.ContainsKey(i.Key)))
            unmasked.Add($"{path}: no mask ({Path.Combine(masksDir, stem + suffix + ".png")})");
        foreach (var (stem, path) in masks.Where(m => !images.ContainsKey(m.Key)))
            problems.Add($"{path}: a mask without an image (no {stem}.jpg, .png, … in {imagesDir})");
        return images.Where(i => masks.ContainsKey(i.Key)).Select(i => (i.Key, i.Value, masks[i.Key])).ToList();
    }

    /// <summary>
    /// The two splits. With test folders, their pairs are the test split; with a test list, the images it names; else the
    /// given share of the pairs, those first when ordered by an XxHash64 of their names, so the split does not depend on
    /// the order files are listed in, on the machine, or on the folder's path.
    /// </summary>
    public static (IReadOnlyList<FolderPair> TrainVal, IReadOnlyList<FolderPair> Test) Split(IReadOnlyList<FolderPair> pairs, FolderDatasetOptions o)
    {
        HashSet<string> test;
        if (o.TestImagesDir is { } testDir)
        {
            var dir = Path.GetFullPath(testDir).TrimEnd(Path.DirectorySeparatorChar);
            test = pairs.Where(p => Path.GetDirectoryName(Path.GetFullPath(p.ImagePath)) == dir).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            if (test.Count == 0) throw new DatasetException($"{testDir}: no image with a mask in the test folders");
            if (test.Count == pairs.Count) throw new DatasetException($"{o.ImagesDir}: no image with a mask to train on");
        }
        else if (o.TestList is not null) test = ReadTestList(o.TestList, pairs);
        else if (o.SplitByGroup) test = ByGroup(pairs, o);
        else
        {
            int n = Math.Clamp((int)Math.Round(pairs.Count * o.TestFraction, MidpointRounding.AwayFromZero), 1, pairs.Count - 1);
            // Salted apart from ValidationSplit's hash, so the validation images are not the test images' next in line.
            test = pairs.OrderBy(p => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes("petseg-test/" + p.Name))).ThenBy(p => p.Name, StringComparer.Ordinal)
                .Take(n).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        }
        var (trainval, held) = (pairs.Where(p => !test.Contains(p.Name)).ToList(), pairs.Where(p => test.Contains(p.Name)).ToList());
        if (trainval.Count == 0) throw new DatasetException($"{o.TestList}: names every image, leaving none to train on");
        return (trainval, held);
    }

    /// <summary>Whole groups (<see cref="FolderDatasetOptions.SplitByGroup"/>) near the share of the images.</summary>
    private static HashSet<string> ByGroup(IReadOnlyList<FolderPair> pairs, FolderDatasetOptions o)
    {
        var held = Splits.WholeGroups.HeldOut([.. pairs.Select(p => p.Name)], pairs.Count * o.TestFraction, "petseg-test-group")
            ?? throw new DatasetException($"{o.ImagesDir}: split_by: group found one group ('{Splits.WholeGroups.Of(pairs[0].Name)}'): names such as " +
                                          "patient1_1, patient1_2, patient2_1 make a group of each patient; rename the files, or split by image");
        return held.Select(i => pairs[i].Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes the layout under <paramref name="root"/>: <c>images/</c>, <c>annotations/trimaps/</c> (or, for more than two
    /// classes, <c>annotations/labels/</c> and <c>classes.txt</c>), <c>annotations/{trainval,test}.txt</c>.
    /// </summary>
    /// <param name="skipBad">Leave out what makes no good pair, each named in the result, rather than refuse the folder
    /// (<c>preprocess.skip_bad_samples</c>, as the preprocess stage does with unreadable images).</param>
    public static FolderImportResult Import(FolderDatasetOptions o, string root, IProgress<int>? progress = null, CancellationToken ct = default, bool skipBad = false)
    {
        var skipped = skipBad ? new List<string>() : null;
        return Import(o, Pairs(o, skipped), root, skipped, progress, ct);
    }

    /// <summary>The import of pairs already listed (<see cref="Pairs"/>), so a caller that counted them first lists the folders once.</summary>
    /// <param name="skipped">The problems <see cref="Pairs"/> passed over, which bad pairs join; null to refuse them instead.</param>
    public static FolderImportResult Import(FolderDatasetOptions o, IReadOnlyList<FolderPair> pairs, string root, List<string>? skipped,
        IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var (trainval, test) = Split(pairs, o); // split with the bad pairs, so leaving them out moves no other
        var layout = new OxfordPetLayout(root);
        Directory.CreateDirectory(layout.ImagesDir);
        var mapping = o.Mapping();
        Directory.CreateDirectory(mapping.Encoding.IsTrimap ? layout.TrimapsDir : layout.LabelsDir);
        layout.WriteMasks(mapping.Encoding);
        var counts = new long[256];
        var problems = new ConcurrentBag<(string Name, string Problem)>();
        int done = 0;
        Parallel.ForEach(pairs, new ParallelOptions { CancellationToken = ct }, pair =>
        {
            try
            {
                var local = ImportPair(pair, layout, mapping, o.Colours);
                lock (counts) for (int v = 0; v < 256; v++) counts[v] += local[v];
            }
            catch (DatasetException e) { problems.Add((pair.Name, e.Message)); }
            catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
            {
                problems.Add((pair.Name, $"{pair.ImagePath} or {pair.MaskPath}: cannot be decoded: {e.Message.Split('\n')[0].Trim()}"));
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        var bad = problems.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (skipped is null) Refuse(bad.Select(p => p.Problem).ToList(), "the folder dataset's pairs");
        else
        {
            skipped.AddRange(bad.Select(p => p.Problem));
            var left = bad.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            (trainval, test) = (trainval.Where(p => !left.Contains(p.Name)).ToList(), test.Where(p => !left.Contains(p.Name)).ToList());
            if (trainval.Count == 0 || test.Count == 0)
                throw new DatasetException($"{o.ImagesDir}: with the {skipped.Count} bad pair(s) left out, the {(trainval.Count == 0 ? "trainval" : "test")} split is empty:\n  " +
                                           string.Join("\n  ", skipped.Take(Listed)));
        }

        static string Line(FolderPair p) => $"{p.Name} 1 1 1"; // the class, species and breed columns Oxford's lists have
        File.WriteAllLines(layout.SplitFile("trainval"), trainval.Select(Line));
        File.WriteAllLines(layout.SplitFile("test"), test.Select(Line));
        File.WriteAllText(Path.Combine(root, "README"),
            $"A folder dataset imported by PetSeg into Oxford-IIIT Pet's layout: {trainval.Count} trainval and {test.Count} test pairs.\n" +
            "Images are copied as they are (named .jpg whatever their format); " +
            (mapping.Encoding.IsTrimap ? $"trimaps: 1 {mapping.ClassNames[1]}, 2 {mapping.ClassNames[0]}, 3 ignored.\n"
                : $"label maps (annotations/labels): {string.Join(", ", mapping.ClassNames.Select((n, i) => $"{i} {n}"))}, 255 ignored; the names in annotations/classes.txt.\n"));
        return new FolderImportResult(trainval.Count, test.Count, counts) { Skipped = skipped ?? [] };
    }

    /// <returns>How many of the mask's pixels had each value.</returns>
    /// <param name="colours">Colour-coded masks' colours by code (<see cref="FolderDatasetOptions.Colours"/>), or null.</param>
    private static long[] ImportPair(FolderPair pair, OxfordPetLayout layout, MaskValueMapping mapping, IReadOnlyList<int>? colours)
    {
        var info = Image.Identify(pair.ImagePath)
            ?? throw new DatasetException($"{pair.ImagePath}: not an image (JPEG, PNG, GIF or BMP by its content)");
        var mask = MaskFile.Read(pair.MaskPath, colours);
        if (mask.Width != info.Width || mask.Height != info.Height)
            throw new DatasetException($"{pair.MaskPath}: {mask.Width}×{mask.Height}, but its image {pair.ImagePath} is {info.Width}×{info.Height}" + Rotated(info, mask.Width, mask.Height));
        var stored = new byte[mask.Pixels.Length];
        var counts = new long[256];
        for (int i = 0; i < stored.Length; i++)
        {
            counts[mask.Pixels[i]]++;
            stored[i] = mapping.StoredValueOf(mask.Pixels[i]);
        }
        if (Enumerable.Range(0, 256).Where(v => counts[v] > 0 && !mapping.IsListed((byte)v)).ToList() is { Count: > 0 } unlisted)
            throw new DatasetException($"{pair.MaskPath}: holds {string.Join(", ", unlisted.Select(v => $"{v} ({counts[v]:N0} pixel(s))"))}, in no class of " +
                                       "dataset.folder.classes: add each value to a class, or to ignore");
        File.Copy(pair.ImagePath, layout.ImagePath(pair.Name));
        using var written = Image.LoadPixelData<L8>(stored, mask.Width, mask.Height);
        written.SaveAsPng(layout.MaskPath(pair.Name, mapping.Encoding), new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        return counts;
    }

    /// <summary>
    /// A camera's picture is often stored sideways with an EXIF tag that tells viewers to turn it, and a mask drawn on
    /// the turned view is then the transpose of the stored size. The lab reads the stored pixels (PIL without
    /// <c>exif_transpose</c>), so the fix is to turn the image's pixels themselves: said when that is the case.
    /// </summary>
    private static string Rotated(IImageInfo image, int maskWidth, int maskHeight)
    {
        var orientation = image.Metadata.ExifProfile?.GetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation)?.Value ?? 1;
        return orientation is >= 5 and <= 8 && maskWidth == image.Height && maskHeight == image.Width
            ? $" as stored; it carries EXIF orientation {orientation} (turned a quarter for viewing), and the mask fits the turned view: " +
              "turn the image's pixels to match (exiftran -ai, or mogrify -auto-orient), since the pipeline reads the pixels as stored, as PIL does"
            : "";
    }

    /// <param name="suffix">What a mask's name adds to its image's (<c>_mask</c> in <c>cat_mask.png</c>): taken off, so the two pair.</param>
    private static Dictionary<string, string> ByStem(string dir, IReadOnlyList<string> extensions, string what, List<string> problems, string suffix = "")
    {
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(file);
            if (fileName.StartsWith('.')) continue; // .DS_Store, ._junk
            var extension = Path.GetExtension(file).ToLowerInvariant();
            if (what == "mask" && extension is ".jpg" or ".jpeg") { problems.Add($"{file}: a JPEG mask, whose values blur at every edge; save masks as PNG"); continue; }
            if (!extensions.Contains(extension)) continue; // notes, spreadsheets
            var stem = Path.GetFileNameWithoutExtension(file);
            if (suffix.Length > 0)
            {
                if (!stem.EndsWith(suffix, StringComparison.Ordinal) || stem.Length == suffix.Length)
                {
                    problems.Add($"{file}: a mask whose name does not end in '{suffix}' (dataset.folder.mask_suffix)");
                    continue;
                }
                stem = stem[..^suffix.Length];
            }
            if (byStem.TryGetValue(stem, out var other)) problems.Add($"{file}: a second {what} named '{stem}' (the first: {other}); keep one");
            else byStem[stem] = file;
        }
        return byStem;
    }

    /// <summary>Blanks would split a line of Oxford's lists, so they become '_'.</summary>
    public static string NameOf(string stem) => string.Concat(stem.Select(c => char.IsWhiteSpace(c) ? '_' : c));

    private static HashSet<string> ReadTestList(string path, IReadOnlyList<FolderPair> pairs)
    {
        if (!File.Exists(path)) throw new DatasetException($"{path}: the test list does not exist (dataset.folder.test_list in pipeline.yaml)");
        var byStem = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pairs) { byStem[Path.GetFileNameWithoutExtension(p.ImagePath)] = p.Name; byStem[Path.GetFileName(p.ImagePath)] = p.Name; byStem[p.Name] = p.Name; }
        var test = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!byStem.TryGetValue(line, out var name)) problems.Add($"{path}:{lineNo}: '{line}' is not an image with a mask{Core.ClosestName.Suggestion(line, pairs.Select(p => p.Name))}");
            else if (!test.Add(name)) problems.Add($"{path}:{lineNo}: '{line}' is listed twice");
        }
        Refuse(problems, path);
        if (test.Count == 0) throw new DatasetException($"{path}: names no image; list the test split's images, one per line");
        return test;
    }

    private static void Refuse(IReadOnlyList<string> problems, string what)
    {
        if (problems.Count == 0) return;
        var shown = problems.Take(Listed).ToList();
        throw new DatasetException($"{problems.Count} problem(s) in {what}:\n  {string.Join("\n  ", shown)}" +
                                   (problems.Count > shown.Count ? $"\n  … and {problems.Count - shown.Count} more" : ""));
    }
}
