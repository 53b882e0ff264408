using System.Globalization;
using PetSeg.Core;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using YamlDotNet.RepresentationModel;

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
        var (classes, ignore, colours) = ClassesAndIgnore(s, d.Ignore);
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
            Colours = colours,
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

    /// <summary>
    /// <c>classes: { background: [0], road: [1], car: [2, 3] }</c> by label in file order (null when absent), and
    /// <c>ignore</c>. Colour-coded masks name colours instead (<c>road: ['#804080']</c>): each colour then gets a code,
    /// the values the classes and <c>ignore</c> hold, and the colours by code are returned.
    /// </summary>
    private static (IReadOnlyList<MaskClass>? Classes, IReadOnlyList<byte> Ignore, IReadOnlyList<int>? Colours) ClassesAndIgnore(YamlSection s, IReadOnlyList<byte> ignoreFallback)
    {
        var listed = s.Has("classes") ? s.ListMapping("classes", "names no value: list the mask values of this class, such as [1]") : null;
        if (listed is null) s.String("classes"); // declares the key
        bool colourCoded = listed?.Any(c => c.Values.Any(v => v.Value!.StartsWith('#'))) == true;
        if (!colourCoded) { var ignore = Values(s, "ignore", ignoreFallback); return (listed is null ? null : Classes(s, listed, ignore, null), ignore, null); }

        // Colour codes by first mention: the classes' colours in file order, then ignore's.
        var colours = new List<int>();
        var ignoreColours = new List<byte>();
        var owner = new Dictionary<int, string>();
        var classes = Classes(s, listed!, [], colours);
        foreach (var c in classes) foreach (var code in c.Values) owner[colours[code]] = c.Name;
        foreach (var v in s.StringList("ignore"))
        {
            var colour = ColourOf(v) ?? throw s.Error("ignore", $"'{v}' is not a colour such as '#000000': with colour-coded classes, ignore names colours too");
            if (owner.TryGetValue(colour, out var other)) throw s.Error("ignore", $"{v} is listed {(other == "ignore" ? "twice" : $"for {other} too")}");
            owner[colour] = "ignore";
            colours.Add(colour);
            ignoreColours.Add((byte)(colours.Count - 1));
        }
        if (colours.Count > 256) throw s.Error("classes", $"names {colours.Count} colours; at most 256");
        return (classes, ignoreColours, colours);
    }

    /// <param name="colours">Null for gray values; else the colour codes so far, which this extends (each class's values are then codes).</param>
    private static List<MaskClass> Classes(YamlSection s, IReadOnlyList<(YamlScalarNode Key, IReadOnlyList<YamlScalarNode> Values)> listed, IReadOnlyList<byte> ignore, List<int>? colours)
    {
        if (listed.Count < 2) throw s.Error("classes", $"names {listed.Count} class(es): list at least two, such as {{ background: [0], cell: [255] }}");
        if (listed.Count >= SegmentationLabels.IgnoreIndex) throw s.Error("classes", $"names {listed.Count} classes; at most {SegmentationLabels.IgnoreIndex - 1}");
        var owner = new Dictionary<int, string>();
        foreach (var v in ignore) owner[v] = "ignore";
        var result = new List<MaskClass>();
        foreach (var (key, values) in listed)
        {
            var name = key.Value!;
            if (!IsClassName(name)) throw s.ErrorAt(key, "classes", NotAClassName(name));
            if (result.Any(c => c.Name == name)) throw s.ErrorAt(key, "classes", $"'{name}' is named twice");
            var codes = new List<byte>();
            foreach (var node in values)
            {
                int value;
                if (colours is null)
                {
                    if (!byte.TryParse(node.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var b)) throw s.ErrorAt(node, "classes." + name, $"'{node.Value}' is not a mask value (0..255)");
                    value = b;
                }
                else value = ColourOf(node.Value!) ?? throw s.ErrorAt(node, "classes." + name,
                    $"'{node.Value}' is not a colour such as '#804080' (quoted: # starts a comment): with colour-coded masks every class names colours");
                if (owner.TryGetValue(value, out var other)) throw s.ErrorAt(node, "classes." + name, $"{node.Value} is listed {(other == name ? "twice" : other == "ignore" ? "in ignore too" : $"for {other} too")}");
                owner[value] = name;
                if (colours is null) codes.Add((byte)value);
                else if (colours.Count < 256) { colours.Add(value); codes.Add((byte)(colours.Count - 1)); }
                else throw s.ErrorAt(node, "classes." + name, "more than 256 colours");
            }
            result.Add(new MaskClass(name, colours is null ? [.. codes.Order()] : codes));
        }
        return result;
    }

    /// <summary><c>#804080</c> as 0x804080, or null.</summary>
    private static int? ColourOf(string v) =>
        v.Length == 7 && v[0] == '#' && int.TryParse(v.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var c) ? c : null;

    private static IReadOnlyList<byte> Values(YamlSection s, string key, IReadOnlyList<byte> fallback)
    {
        if (!s.Has(key)) { s.String(key); return fallback; } // declares the key
        var values = new List<byte>();
        foreach (var v in s.StringList(key))
        {
            if (!byte.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var b))
                throw s.Error(key, $"'{v}' is not a mask value (0..255){(v.StartsWith('#') ? "; colour-coded masks name their colours under classes:" : "")}");
            if (values.Contains(b)) throw s.Error(key, $"{b} is listed twice");
            values.Add(b);
        }
        return values.Order().ToList();
    }
}
