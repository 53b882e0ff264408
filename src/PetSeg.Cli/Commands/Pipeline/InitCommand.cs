using System.ComponentModel;
using System.Globalization;
using PetSeg.Core;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.IO;
using PetSeg.Lab;
using Spectre.Console.Cli;

namespace PetSeg.Cli.Commands.Pipeline;

[Description("Start a project in FOLDER (default: here): write the lab's pipeline.yaml (14 experiments, its tables, the smoke and demo profiles) and ignore its outputs in .gitignore. Refuses to replace an existing pipeline.yaml.")]
public sealed class InitCommand : GuardedCommand<InitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FOLDER]")][Description("The project folder (created if missing; default: the current folder).")]
        public string Folder { get; init; } = ".";

        [CommandOption("--data <FOLDER>")]
        [Description("Your own dataset in place of Oxford-IIIT Pet: a folder with images/ and masks/ (one 8-bit PNG mask per image, of its name; 0 background, any other value the foreground), train/ and test/ that each hold both, or Pascal VOC 2012 as it ships (JPEGImages/, SegmentationClass/: its 21 classes). Its pairs are checked before anything is written; docs/configuration.md, \"A dataset of your own\".")]
        public string? Data { get; init; }
    }

    protected override bool UsesTorch => false;

    protected override Task<int> RunAsync(Settings s, CancellationToken ct)
    {
        var folder = Path.GetFullPath(s.Folder);
        var yaml = Path.Combine(folder, PipelineConfigLoader.DefaultFile);
        if (File.Exists(folder) || AtomicFile.FileInTheWay(yaml) is not null)
            throw new ConfigException($"{AtomicFile.FileInTheWay(yaml) ?? folder} is a file: init writes a project into a folder (created if missing). Name another.");
        if (File.Exists(yaml))
            throw new ConfigException($"{yaml} already exists: nothing was written. Edit it, or init another folder.");
        string? summary = null;
        var text = LabTemplate.PipelineYaml;
        if (s.Data is not null) (text, summary) = OnOwnData(folder, Path.GetFullPath(s.Data)); // checked before anything is written
        Directory.CreateDirectory(folder);

        AtomicFile.WriteAllText(yaml, text);
        var config = PipelineConfigLoader.Load(yaml); // what was written is what `run` will read: never a file that fails
        var added = AddIgnoreLines(Path.Combine(folder, ".gitignore"), LabTemplate.IgnoreLines(Path.GetRelativePath(folder, config.ArtifactsDir)));

        System.Console.WriteLine($"wrote {yaml}: the lab's {config.Experiments.Count} experiments and report tables");
        if (summary is not null) System.Console.WriteLine(summary);
        System.Console.WriteLine(added.Count > 0 ? $"ignored in .gitignore: {string.Join(", ", added)}" : ".gitignore already ignores the outputs");
        System.Console.WriteLine($"""
            next (in that folder):
              petseg status                  what would run, and why
              {(s.Data is null ? "petseg run report -p demo      the whole lab on synthetic pets, offline, minutes on a laptop" : "petseg run report -p quick     the lab on your data at 64×64, offline (encoders pretrained on synthetic pets)")}
              petseg run report              {(s.Data is null ? "the real lab: downloads Oxford-IIIT Pet (~800 MB) and ImageNet encoders" : "the lab on your data (it downloads the ImageNet encoders, ~100 MB)")}
              petseg doctor                  check this machine's kernels (and a GPU's with --device cuda)
            """);
        return Task.FromResult(0);
    }

    /// <summary>
    /// The file on a folder of one's own, checked first (every pair, so a wrong folder writes nothing), and what was found:
    /// how many pairs, how they split, and the values a few masks hold, so a background that is not 0 shows before a run.
    /// </summary>
    private static (string Yaml, string Summary) OnOwnData(string project, string data)
    {
        if (!Directory.Exists(data)) throw new ConfigException($"{data}: --data names no folder");
        var relative = Path.GetRelativePath(project, data);
        var path = Path.IsPathRooted(relative) ? data : relative.Replace('\\', '/');
        if (PascalVocLayout.IsAt(data)) return OnPascalVoc(data, path);
        string In(string relative) => Path.Combine(data, relative);
        // images/ and masks/, or a test split of its own as many datasets ship: train/{images,masks} and test/{images,masks}.
        var testFolders = !Directory.Exists(In("images")) && new[] { "train/images", "train/masks", "test/images", "test/masks" }.All(d => Directory.Exists(In(d)));
        var options = testFolders
            ? new FolderDatasetOptions { ImagesDir = In("train/images"), MasksDir = In("train/masks"), TestImagesDir = In("test/images"), TestMasksDir = In("test/masks") }
            : new FolderDatasetOptions { ImagesDir = In("images"), MasksDir = In("masks") };
        foreach (var dir in new[] { options.ImagesDir, options.MasksDir })
            if (!Directory.Exists(dir))
                throw new ConfigException($"{dir}: not found: --data takes a folder with images/ and masks/ in it, or with train/ and test/ that each hold both " +
                                          "(other names: write the project without --data and set dataset.folder, docs/configuration.md)");
        var pairs = FolderDatasetImporter.Pairs(options);
        var (trainval, test) = FolderDatasetImporter.Split(pairs, options);
        var sampled = pairs.Where((_, i) => i % Math.Max(1, pairs.Count / 20) == 0).Take(20).ToList();
        var yaml = LabTemplate.PipelineYamlOn(path, testFolders);
        var summary = $"dataset: {pairs.Count:N0} image(s) with masks in {data}: {trainval.Count:N0} to train on, {test.Count:N0} " +
                      (testFolders ? "in test/ for the test\n" : "held out for the test (20 % by name)\n");
        summary += LargeImages(sampled.Select(p => p.ImagePath).ToList());
        var colours = sampled.Select(p => MaskFile.ColourCounts(p.MaskPath)).ToList(); // each sampled mask read once
        if (ColourCoded(colours) is { } colourHint) return (yaml, summary + colourHint);
        var counts = new long[256];
        bool palette = false;
        foreach (var (p, histogram) in sampled.Zip(colours))
            if (histogram is null) // a palette PNG with colours: by its indices, as the import reads it
            {
                palette = true;
                foreach (var v in MaskFile.Read(p.MaskPath).Pixels) counts[v]++;
            }
            else foreach (var (grey, n) in histogram) counts[grey & 0xFF] += n; // grays only here: 0xVVVVVV
        var values = new FolderImportResult(0, 0, counts).DescribeValues(options.Mapping());
        var hint = options.Background.All(v => counts[v] == 0) // Oxford's trimaps (1, 2, 3), masks saved as 1/2: all "foreground"
            ? $"\nwarning: none of these pixels is {string.Join(" or ", options.Background)}, the background's value: every pixel would be foreground. " +
              "Set dataset.folder.background (and ignore) in pipeline.yaml to your masks' values before a run"
            : "; if 0 is not the background, set dataset.folder.background (and ignore) in pipeline.yaml";
        // A few small values are often one class each (label maps), which the binary reading would merge: say how to keep them apart.
        var seen = Enumerable.Range(0, 256).Where(v => counts[v] > 0).ToList();
        if (seen.Count is >= 3 and <= 32)
            hint += $"\nif each of these {seen.Count} values is a class of its own, replace background: [0] in dataset.folder with " +
                    $"classes: {{ {string.Join(", ", seen.Select(v => $"class{v}: [{v}]"))} }}, named as you like (the first is label 0; docs/configuration.md)";
        return (yaml, summary + $"mask values{(palette ? " (palette indices)" : "")} in {sampled.Count} of them: {values}{hint}");
    }

    /// <summary>
    /// Images far larger than the 224² the lab resizes each to lose their detail whole (a thin road, a cell's edge): say
    /// so with their size, and the tiles line that keeps it. Empty for images of the lab's scale (Oxford's are ~500×375).
    /// </summary>
    private static string LargeImages(IReadOnlyList<string> images)
    {
        const int size = 224; // the template's preprocess.image_size
        var sizes = images.Select(i => { try { return ImageLoader.Size(i); } catch (ImageDecodeException) { return default; } }).Where(s => s.Width > 0).ToList();
        if (sizes.Count == 0) return "";
        var (w, h) = sizes.OrderBy(s => Math.Min(s.Width, s.Height)).ElementAt(sizes.Count / 2); // the median by shorter side
        if (Math.Min(w, h) < 3 * size) return "";
        double scale = Math.Min(w, h) >= 6 * size ? 0.5 : 1;
        var grid = TileGrid.For(w, h, scale, size);
        return $"images: about {w}×{h} (the median of {sizes.Count} sampled): resized whole to {size}², one input pixel stands for {(double)w / size:F0}×{(double)h / size:F0} of theirs. " +
               $"To keep their detail, train on tiles: uncomment '# tiles:' under preprocess: in pipeline.yaml as tiles: {{ scale: {scale.ToString(CultureInfo.InvariantCulture)} }}, " +
               $"which cuts each into about {grid.Columns}×{grid.Rows} = {grid.Count} tiles of {size}² (docs/configuration.md, \"Large images: tiles\")\n";
    }

    /// <summary>Pascal VOC 2012 as it ships: its 21 classes, its labelled photos, its val split as the test split.</summary>
    private static (string Yaml, string Summary) OnPascalVoc(string data, string path)
    {
        var options = PascalVocLayout.Options(data);
        var withoutMasks = new List<string>();
        var pairs = FolderDatasetImporter.Pairs(options, withoutMasks: withoutMasks);
        var (trainval, test) = FolderDatasetImporter.Split(pairs, options);
        var yaml = LabTemplate.PipelineYamlWith(quoted => PascalVocLayout.FolderLine(quoted, options.TestList is not null), path);
        return (yaml, $"dataset: Pascal VOC's layout in {data}: {pairs.Count:N0} of {pairs.Count + withoutMasks.Count:N0} images with a mask " +
                      $"(the others passed over), {trainval.Count:N0} to train on, {test.Count:N0} for the test " +
                      $"({(options.TestList is not null ? PascalVocLayout.TestList : "20 % by name: no val.txt found")}); its 21 classes, the borders (255) ignored");
    }

    /// <summary>
    /// Masks coded by colour (CamVid's) have no gray values to read: their colours, with the classes line that names
    /// them, ready to paste; null for masks of gray values or palette indices.
    /// </summary>
    /// <param name="sampled">Each sampled mask's colours (<see cref="MaskFile.ColourCounts"/>).</param>
    private static string? ColourCoded(IReadOnlyList<IReadOnlyDictionary<int, long>?> sampled)
    {
        if (sampled.Any(h => h is null)) return null; // palette PNGs: read by index
        var counts = new Dictionary<int, long>();
        foreach (var (c, n) in sampled.SelectMany(h => h!)) counts[c] = counts.GetValueOrDefault(c) + n;
        if (!counts.Keys.Any(MaskFile.IsColour)) return null; // grays: read as values
        double total = counts.Values.Sum();
        var ordered = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key).ToList();
        var found = $"colour-coded masks: {counts.Count} colour(s) in {sampled.Count} of them: " +
                    string.Join(", ", ordered.Take(32).Select(p => $"#{p.Key:x6} {100 * p.Value / total:0.0#} %")) + (counts.Count > 32 ? ", …" : "");
        return counts.Count > 64
            ? found + "\nwarning: so many colours look like a photo or smoothed edges, not a label image; masks must hold one exact colour per class"
            : found + "\nwarning: pipeline.yaml reads gray values until dataset.folder names these colours: replace background: [0], ignore: [] with " +
              $"classes: {{ {string.Join(", ", ordered.Select((p, i) => $"class{i}: ['#{p.Key:x6}']"))} }}, named as you like (the first is label 0; docs/configuration.md)";
    }

    /// <summary>Appends the lines .gitignore lacks (creating it if needed, one atomic write); returns those added.</summary>
    private static List<string> AddIgnoreLines(string path, IReadOnlyList<string> lines)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var present = text.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var added = lines.Where(l => !present.Contains(l)).ToList();
        if (added.Count == 0) return added;
        var prefix = text.Length > 0 && !text.EndsWith('\n') ? "\n" : "";
        AtomicFile.WriteAllText(path, text + prefix + "# petseg outputs (petseg init)\n" + string.Join("\n", added) + "\n");
        return added;
    }
}
