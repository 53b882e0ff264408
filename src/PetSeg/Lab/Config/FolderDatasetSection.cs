using System.Globalization;
using PetSeg.Core;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;

namespace PetSeg.Lab.Config;

/// <summary>
/// Binds <c>dataset.folder</c>: where one's own images and masks are and what the masks' values mean (background and
/// foreground, or <c>classes</c> of one's own). Its folders are looked for here, so a wrong path is named with its line
/// before anything runs.
/// </summary>
internal static class FolderDatasetSection
{
    /// <param name="required">Whether the source is "folder": otherwise the section is only checked for its keys' types.</param>
    public static FolderDatasetOptions? Bind(YamlSection s, string baseDir, bool required)
    {
        var d = new FolderDatasetOptions { ImagesDir = "", MasksDir = "" };
        var paths = s.Folders("path", baseDir);
        if (paths.Count > 1) throw s.Error("path", "expected one folder, found a list");
        var images = s.String("images", "images")!;
        var masks = s.String("masks", "masks")!;
        var maskSuffix = s.String("mask_suffix", "")!;
        var foreground = s.String("foreground", d.Foreground)!;
        if (!IsClassName(foreground)) throw s.Error("foreground", NotAClassName(foreground));
        if (foreground == SegmentationLabels.Names[SegmentationLabels.Background]) throw s.Error("foreground", "is the background's name");
        var background = Values(s, "background", d.Background);
        var ignore = Values(s, "ignore", d.Ignore);
        var classes = Classes(s, ignore);
        if (classes is not null && new[] { "background", "foreground" }.FirstOrDefault(s.Has) is { } binary)
            throw s.Error(binary, "and classes both say what the mask values mean: keep classes (its first class is label 0, often the background)");
        var withoutMasks = s.Choice("images_without_masks", "refuse", "refuse", "skip");
        var testFraction = s.Double("test_fraction", d.TestFraction, FolderDatasetOptions.MinTestFraction, FolderDatasetOptions.MaxTestFraction);
        var splitBy = s.Choice("split_by", "image", "image", "group");
        var testList = s.String("test_list");
        var testImages = s.String("test_images");
        var testMasks = s.String("test_masks");
        s.RejectUnknown();
        if (!required) return null;

        if (paths.Count == 0)
            throw s.Error("path", "the folder with your images and masks is required with dataset.source: folder (docs/configuration.md, \"A dataset of your own\")");
        var root = paths[0];
        if (!Directory.Exists(root)) throw s.Error("path", $"{root} does not exist");
        string Inside(string key, string relative, bool folder)
        {
            var full = Path.GetFullPath(Path.Combine(root, relative));
            if (folder ? !Directory.Exists(full) : !File.Exists(full)) throw s.Error(key, $"{full} does not exist");
            return full;
        }
        if (background.Count == 0 && classes is null) throw s.Error("background", "names no value: list the mask values that are background, such as [0]");
        if (classes is null && background.Intersect(ignore).ToList() is [var both, ..]) throw s.Error("ignore", $"{both} is listed as background too");
        if (testList is not null && s.Has("test_fraction")) throw s.Error("test_fraction", "and test_list both choose the test split: keep one");
        if (splitBy == "group" && (testList is not null || testImages is not null))
            throw s.Error("split_by", $"chooses how test_fraction holds images out, and {(testList is not null ? "test_list" : "test_images")} names them itself: keep one");
        if ((testImages is null) != (testMasks is null))
            throw s.Error(testImages is null ? "test_masks" : "test_images", "a test split of its own needs both test_images and test_masks");
        if (testImages is not null && (testList is not null || s.Has("test_fraction")))
            throw s.Error("test_images", $"and {(testList is not null ? "test_list" : "test_fraction")} both choose the test split: keep one");
        return new FolderDatasetOptions
        {
            ImagesDir = Inside("images", images, folder: true),
            MasksDir = Inside("masks", masks, folder: true),
            MaskSuffix = maskSuffix,
            SkipImagesWithoutMasks = withoutMasks == "skip",
            Foreground = foreground,
            Background = background,
            Classes = classes,
            Ignore = ignore,
            TestFraction = testFraction,
            SplitByGroup = splitBy == "group",
            TestList = testList is null ? null : Inside("test_list", testList, folder: false),
            TestImagesDir = testImages is null ? null : Inside("test_images", testImages, folder: true),
            TestMasksDir = testMasks is null ? null : Inside("test_masks", testMasks, folder: true),
        };
    }

    private static bool IsClassName(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, @"^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,39}$");

    private static string NotAClassName(string name) => $"'{name}' is not a class name of letters, digits, blanks, '_', '.' or '-' (at most 40)";

    /// <summary><c>classes: { background: [0], road: [1], car: [2, 3] }</c>: by label in file order; null when absent.</summary>
    private static IReadOnlyList<MaskClass>? Classes(YamlSection s, IReadOnlyList<byte> ignore)
    {
        if (!s.Has("classes")) { s.String("classes"); return null; } // declares the key
        var listed = s.ListMapping("classes", "names no value: list the mask values of this class, such as [1]");
        if (listed.Count < 2) throw s.Error("classes", $"names {listed.Count} class(es): list at least two, such as {{ background: [0], cell: [255] }}");
        if (listed.Count >= SegmentationLabels.IgnoreIndex) throw s.Error("classes", $"names {listed.Count} classes; at most {SegmentationLabels.IgnoreIndex - 1}");
        var owner = new Dictionary<byte, string>();
        foreach (var v in ignore) owner[v] = "ignore";
        var result = new List<MaskClass>();
        foreach (var (key, values) in listed)
        {
            var name = key.Value!;
            if (!IsClassName(name)) throw s.ErrorAt(key, "classes", NotAClassName(name));
            if (result.Any(c => c.Name == name)) throw s.ErrorAt(key, "classes", $"'{name}' is named twice");
            var bytes = new List<byte>();
            foreach (var node in values)
            {
                if (!byte.TryParse(node.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) throw s.ErrorAt(node, "classes." + name, $"'{node.Value}' is not a mask value (0..255)");
                if (owner.TryGetValue(b, out var other)) throw s.ErrorAt(node, "classes." + name, $"{b} is listed {(other == name ? "twice" : other == "ignore" ? "in ignore too" : $"for {other} too")}");
                owner[b] = name;
                bytes.Add(b);
            }
            result.Add(new MaskClass(name, [.. bytes.Order()]));
        }
        return result;
    }

    private static IReadOnlyList<byte> Values(YamlSection s, string key, IReadOnlyList<byte> fallback)
    {
        if (!s.Has(key)) { s.String(key); return fallback; } // declares the key
        var values = new List<byte>();
        foreach (var v in s.StringList(key))
        {
            if (!byte.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) throw s.Error(key, $"'{v}' is not a mask value (0..255)");
            if (values.Contains(b)) throw s.Error(key, $"{b} is listed twice");
            values.Add(b);
        }
        return values.Order().ToList();
    }
}
