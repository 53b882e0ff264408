using PetSeg.Tests.Support;

namespace PetSeg.Tests.Cli;

/// <summary>
/// `petseg init` starts a project where the repository is not (an installed `petseg` tool): the repository's own
/// pipeline.yaml, outputs ignored, never an existing pipeline.yaml replaced; the project it writes runs.
/// </summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Init_writes_the_labs_pipeline_yaml_and_ignores_its_outputs_and_the_project_runs()
    {
        var project = _dir["labs/pets"]; // created, parents included
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "labs/pets");
        Assert.True(exit == 0, log);
        Assert.Equal(File.ReadAllBytes(RepoFiles.Path("pipeline.yaml")), File.ReadAllBytes(Path.Combine(project, "pipeline.yaml")));
        Assert.Contains("the lab's 14 experiments", log);
        Assert.Equal(["# petseg outputs (petseg init)", "/artifacts/", "pipeline.*.lock"], File.ReadAllLines(Path.Combine(project, ".gitignore")));
        Assert.Empty(Directory.GetFiles(project, ".*.tmp"));

        // The next steps it prints work there: status on the demo profile lists the lab's DAG, nothing run yet.
        Assert.Contains("petseg run report -p demo", log);
        (exit, log) = CliProcess.RunIn(project, "status", "-p", "demo");
        Assert.True(exit == 0, log);
        Assert.Contains("STALE  train-simple-vit-improved", log);
        Assert.Contains("STALE  report", log);
    }

    [Fact]
    public void Init_never_replaces_a_pipeline_yaml_and_a_missing_one_points_to_init()
    {
        var (exit, log) = CliProcess.RunIn(_dir.Path, "status");
        Assert.Equal(1, exit);
        Assert.Contains("pipeline.yaml: not found", log);
        Assert.Contains("petseg init", log);

        File.WriteAllText(_dir["pipeline.yaml"], "artifacts: mine\n");
        (exit, log) = CliProcess.RunIn(_dir.Path, "init");
        Assert.Equal(1, exit);
        Assert.Contains("pipeline.yaml already exists: nothing was written", log);
        Assert.Equal("artifacts: mine\n", File.ReadAllText(_dir["pipeline.yaml"]));
        Assert.False(File.Exists(_dir[".gitignore"]));
    }

    [Fact]
    public void Init_adds_only_the_ignore_lines_an_existing_gitignore_lacks()
    {
        var project = _dir["p"];
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, ".gitignore"), "bin/\npipeline.*.lock"); // no final newline
        var (exit, log) = CliProcess.RunIn(project, "init");
        Assert.True(exit == 0, log);
        Assert.Contains("ignored in .gitignore: /artifacts/", log);
        Assert.Equal(["bin/", "pipeline.*.lock", "# petseg outputs (petseg init)", "/artifacts/"], File.ReadAllLines(Path.Combine(project, ".gitignore")));

        File.Delete(Path.Combine(project, "pipeline.yaml"));
        (exit, log) = CliProcess.RunIn(project, "init");
        Assert.True(exit == 0, log);
        Assert.Contains(".gitignore already ignores the outputs", log);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(project, ".gitignore")).Length);
    }

    [Fact]
    public void Init_on_a_folder_of_ones_own_checks_it_first_and_writes_a_project_on_it()
    {
        FolderDatasets.Write(_dir["my data"], new PetSeg.Data.Synthetic.SyntheticPetOptions { Count = 10, Seed = 2, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44 });
        File.Delete(_dir["my data/masks/pug_1.png"]);
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "p", "--data", "my data");
        Assert.Equal(1, exit); // a pair missing: said, and nothing written
        Assert.Contains($"{_dir["my data/images/pug_1.jpg"]}: no mask", log);
        Assert.False(Directory.Exists(_dir["p"]));

        FolderDatasets.WriteMask(_dir["my data/masks/pug_1.png"], 8, 8, (_, _) => 0);
        File.Copy(_dir["my data/images/Bengal_1.jpg"], _dir["my data/images/pug_1.jpg"], overwrite: true);
        using (var pug = SixLabors.ImageSharp.Image.Load(_dir["my data/images/pug_1.jpg"])) FolderDatasets.WriteMask(_dir["my data/masks/pug_1.png"], pug.Width, pug.Height, (_, _) => 0);
        (exit, log) = CliProcess.RunIn(_dir.Path, "init", "p", "--data", "my data");
        Assert.True(exit == 0, log);
        Assert.Contains($"dataset: 10 image(s) with masks in {_dir["my data"]}: 8 to train on, 2 held out for the test (20 % by name)", log);
        Assert.Matches(@"mask values in 10 of them: 0 background [\d.]+ %, 128 pet [\d.]+ %, 255 pet [\d.]+ %", log);
        Assert.DoesNotContain("warning", log);
        var config = PetSeg.Lab.PipelineConfigLoader.Load(_dir["p/pipeline.yaml"]);
        Assert.Equal(("folder", _dir["my data/images"], _dir["my data/masks"]), (config.Dataset.Source, config.Dataset.Folder!.ImagesDir, config.Dataset.Folder.MasksDir));
        Assert.Contains("  folder: { path: '../my data', ", File.ReadAllText(_dir["p/pipeline.yaml"])); // relative: the project and its data move together
        Assert.Equal("synthetic", PetSeg.Lab.PipelineConfigLoader.Load(_dir["p/pipeline.yaml"], "demo").Dataset.Source);
        var quick = PetSeg.Lab.PipelineConfigLoader.Load(_dir["p/pipeline.yaml"], "quick"); // a first look at one's own data, offline
        Assert.Equal(("folder", 64, "pretrain"), (quick.Dataset.Source, quick.Preprocess.ImageSize, quick.Weights.Source));
        Assert.Contains("petseg run report -p quick", log);
        (exit, log) = CliProcess.RunIn(_dir["p"], "run", "preprocess");
        Assert.True(exit == 0, log);
        Assert.Contains("download: 8 trainval and 2 test pair(s)", log);

        // Masks whose background is not 0 (Oxford's trimaps: 1, 2, 3) are told before a run.
        foreach (var mask in Directory.GetFiles(_dir["my data/masks"]))
        {
            using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.L8>(mask);
            FolderDatasets.WriteMask(mask, image.Width, image.Height, (x, y) => (byte)(image[x, y].PackedValue == 0 ? 2 : 1));
        }
        (exit, log) = CliProcess.RunIn(_dir.Path, "init", "q", "--data", _dir["my data"]);
        Assert.True(exit == 0, log);
        Assert.Contains("warning: none of these pixels is 0, the background's value: every pixel would be foreground.", log);
        Assert.DoesNotContain("if 0 is not the background", log); // the warning says it, once

        // Masks coded by colour (CamVid's): their colours, and the classes line naming them, ready to paste.
        foreach (var mask in Directory.GetFiles(_dir["my data/masks"]))
        {
            using var gray = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.L8>(mask);
            using var colour = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(gray.Width, gray.Height);
            for (int y = 0; y < gray.Height; y++)
                for (int x = 0; x < gray.Width; x++)
                    colour[x, y] = gray[x, y].PackedValue == 2 ? new(128, 128, 128) : new(64, 0, 128);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(colour, mask);
        }
        (exit, log) = CliProcess.RunIn(_dir.Path, "init", "r", "--data", _dir["my data"]);
        Assert.True(exit == 0, log);
        Assert.Matches(@"colour-coded masks: 2 colour\(s\) in 10 of them: #808080 [\d.]+ %, #400080 [\d.]+ %", log);
        Assert.Contains("replace background: [0], ignore: [] with classes: { class0: ['#808080'], class1: ['#400080'] }", log);
    }

    [Fact]
    public void Init_on_Pascal_VOC_as_it_ships_takes_its_21_classes_its_labelled_photos_and_its_val_split()
    {
        var test = VocPalette.WriteVoc2012(_dir["VOCdevkit/VOC2012"], _dir["scratch"], new PetSeg.Data.Synthetic.SyntheticPetOptions { Count = 10, Seed = 2, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44 });
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "voc", "--data", "VOCdevkit/VOC2012");
        Assert.True(exit == 0, log);
        Assert.Contains($"dataset: Pascal VOC's layout in {_dir["VOCdevkit/VOC2012"]}: 10 of 12 images with a mask (the others passed over), {10 - test.Count} to train on, " +
                        $"{test.Count} for the test (ImageSets/Segmentation/val.txt); its 21 classes, the borders (255) ignored", log);
        var config = PetSeg.Lab.PipelineConfigLoader.Load(_dir["voc/pipeline.yaml"]);
        var folder = config.Dataset.Folder!;
        Assert.Equal(PetSeg.Data.Dataset.PascalVocLayout.ClassNames, config.Dataset.ClassNames);
        Assert.True(folder.SkipImagesWithoutMasks);
        Assert.Equal((_dir["VOCdevkit/VOC2012/JPEGImages"], _dir["VOCdevkit/VOC2012/ImageSets/Segmentation/val.txt"]), (folder.ImagesDir, folder.TestList));
        Assert.Equal([255], folder.Ignore);
        Assert.All(config.Experiments, e => Assert.Equal(21, e.Settings.Model.Classes));
        (exit, log) = CliProcess.RunIn(_dir["voc"], "run", "download");
        Assert.True(exit == 0, log);
        Assert.Contains("download: passed over 2 image(s) without a mask", log);
    }

    [Fact]
    public void Init_on_a_dataset_shipped_with_train_and_test_folders_keeps_its_test_split()
    {
        var layout = FolderDatasets.Write(_dir["shipped"], new PetSeg.Data.Synthetic.SyntheticPetOptions { Count = 10, Seed = 2, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44 });
        foreach (var (split, stems) in new[] { ("train", layout.TrainVal), ("test", layout.Test) })
            foreach (var (kind, ext) in new[] { ("images", ".jpg"), ("masks", ".png") })
            {
                Directory.CreateDirectory(_dir[$"shipped/{split}/{kind}"]);
                foreach (var stem in stems) File.Move(_dir[$"shipped/{kind}/{stem}{ext}"], _dir[$"shipped/{split}/{kind}/{stem}{ext}"]);
            }
        Directory.Delete(_dir["shipped/images"]);
        Directory.Delete(_dir["shipped/masks"]);
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "p", "--data", "shipped");
        Assert.True(exit == 0, log);
        Assert.Contains($"dataset: 10 image(s) with masks in {_dir["shipped"]}: 5 to train on, 5 in test/ for the test", log);
        Assert.Contains("  folder: { path: '../shipped', images: train/images, masks: train/masks, test_images: test/images, test_masks: test/masks, ", File.ReadAllText(_dir["p/pipeline.yaml"]));
        (exit, log) = CliProcess.RunIn(_dir["p"], "run", "preprocess");
        Assert.True(exit == 0, log);
        Assert.Contains($"download: 5 trainval and 5 test pair(s) (the test split from {_dir["shipped/test/images"]})", log);
    }

    [Fact]
    public void Init_on_large_images_says_their_size_and_the_tiles_line_that_keeps_their_detail()
    {
        Directory.CreateDirectory(_dir["big/images"]);
        Directory.CreateDirectory(_dir["big/masks"]);
        foreach (var (name, w, h) in new[] { ("a", 1600, 1400), ("b", 1500, 1380), ("c", 1700, 1450) })
        {
            using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(w, h)) SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, _dir[$"big/images/{name}.png"]);
            FolderDatasets.WriteMask(_dir[$"big/masks/{name}.png"], w, h, (x, _) => (byte)(x < w / 2 ? 0 : 255));
        }
        var (exit, log) = CliProcess.RunIn(_dir.Path, "init", "p", "--data", "big");
        Assert.True(exit == 0, log);
        Assert.Contains("images: about 1600×1400 (the median of 3 sampled): resized whole to 224², one input pixel stands for 7×6 of theirs. " +
                        "To keep their detail, train on tiles: uncomment '# tiles:' under preprocess: in pipeline.yaml as tiles: { scale: 0.5 }, " +
                        "which cuts each into about 4×4 = 16 tiles of 224²", log);
        // The line it names is there, and taken as said.
        var file = _dir["p/pipeline.yaml"];
        var yaml = File.ReadAllText(file);
        Assert.Contains("  # tiles: { scale: 0.5 }", yaml);
        File.WriteAllText(file, yaml.Replace("  # tiles: { scale: 0.5 }", "  tiles: { scale: 0.5 }", StringComparison.Ordinal));
        Assert.Equal(0.5, PetSeg.Lab.PipelineConfigLoader.Load(file).Preprocess.TileScale);

        // Images of the lab's scale get no such line.
        FolderDatasets.Write(_dir["small"], new PetSeg.Data.Synthetic.SyntheticPetOptions { Count = 10, Seed = 2, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44 });
        (exit, log) = CliProcess.RunIn(_dir.Path, "init", "q", "--data", "small");
        Assert.True(exit == 0, log);
        Assert.DoesNotContain("tiles", log);
    }

    public void Dispose() => _dir.Dispose();
}
