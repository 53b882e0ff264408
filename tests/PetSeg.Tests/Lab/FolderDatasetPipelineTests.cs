using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Synthetic;
using PetSeg.Lab;
using PetSeg.Lab.Stages;
using PetSeg.Tests.Support;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;
using PetSeg.Workflow.Store;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>dataset.source: folder</c> end to end: one's own images and masks go through the lab's stages as the lab's data
/// does, and the download stage's key follows the folder's content, not where it lies.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class FolderDatasetPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    /// <summary>TinyPipeline's synthetic pets, as the folder holds them.</summary>
    private static readonly SyntheticPetOptions Tiny = new() { Count = 8, Seed = 3, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44 };
    private const string SyntheticSource = "dataset: { source: synthetic, synthetic: { count: 8, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }";

    private string Project(string name, string dataset)
    {
        Directory.CreateDirectory(_dir[name]);
        File.WriteAllText(_dir[$"{name}/pipeline.yaml"], TinyPipeline.Yaml.Replace(SyntheticSource, dataset, StringComparison.Ordinal));
        return _dir[$"{name}/pipeline.yaml"];
    }

    private static string FolderSource(string path, string more = "") =>
        $"dataset: {{ source: folder, folder: {{ path: '{path}', background: [0], ignore: [128], test_list: test.txt{more} }} }}";

    private static PipelineRunner Runner(string file) => LabPipeline.Runner(PipelineConfigLoader.Load(file), NullProgressSink.Instance);

    [Fact]
    public void A_folder_of_ones_own_preprocesses_as_its_synthetic_original_and_scores_what_it_scores()
    {
        Assert.Contains(SyntheticSource, TinyPipeline.Yaml);
        var synthetic = Project("synthetic", SyntheticSource);
        FolderDatasets.Write(_dir["pets"], Tiny);
        var folder = Project("folder", FolderSource("../pets", ", foreground: cell"));

        Runner(synthetic).Run(StageIds.Evaluate("untrained"));
        var runs = Runner(folder).Run(StageIds.Report);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        // The foreground's own name where a class is named: the report's per-class table, the exported model.
        var report = File.ReadAllText(_dir["folder/out/report/report.md"]);
        Assert.Contains("| Experiment | background IoU | background precision | background recall | cell IoU | cell precision | cell recall | confusion (bg→bg, bg→cell, cell→bg, cell→cell) |", report);
        var (exit, log) = CliProcess.Run("export", "tiny", "--out", _dir["tiny.onnx"], "--config", folder);
        Assert.True(exit == 0, log);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(_dir["tiny.onnx"]))
            Assert.Equal("0 background, 1 cell", session.ModelMetadata.CustomMetadataMap["petseg.classes"]);
        (exit, log) = CliProcess.Run("export", "tiny", "--out", _dir["tiny.safetensors"], "--config", folder);
        Assert.True(exit == 0, log);
        (exit, log) = CliProcess.Run("score", _dir["tiny.safetensors"], "--config", folder);
        Assert.True(exit == 0, log);
        Assert.Matches(@"per class: +background IoU [\d.]+; cell IoU [\d.]+", log);

        foreach (var split in new[] { "trainval", "test" })
        {
            using var expected = TensorCache.Open(_dir[$"synthetic/out/data/cache/synthetic-32/{split}.petc"]);
            using var actual = TensorCache.Open(_dir[$"folder/out/data/cache/folder-32/{split}.petc"]);
            Assert.Equal(expected.Count, actual.Count);
            var at = actual.Entries.Select((e, i) => (e.Stem, i)).ToDictionary(p => p.Stem, p => p.i);
            for (int i = 0; i < expected.Count; i++)
            {
                var j = at[expected.Entries[i].Stem]; // the import orders by name, the synthetic lists by breed
                Assert.Equal(expected.Entries[i], actual.Entries[j]);
                Assert.True(expected.Image(i).SequenceEqual(actual.Image(j)), $"{split} image {expected.Entries[i].Stem}");
                Assert.True(expected.Mask(i).SequenceEqual(actual.Mask(j)), $"{split} mask {expected.Entries[i].Stem}");
            }
        }
        // The same model on the same test images: the same confusion matrix, whatever their order.
        var scored = PipelineLock.Read(_dir["synthetic/pipeline.lock"]).Stages["evaluate-untrained"].Metrics;
        Assert.Contains("mean_iou", scored!.Keys);
        Assert.Equal(scored, PipelineLock.Read(_dir["folder/pipeline.lock"]).Stages["evaluate-untrained"].Metrics);
    }

    [Fact]
    public void A_folder_of_several_classes_is_trained_evaluated_reported_exported_and_predicted_in_all_of_them()
    {
        FolderDatasets.Write(_dir["pets"], Tiny);
        var file = Project("folder", "dataset: { source: folder, folder: { path: '../pets', classes: { background: [0], pet: [255], border: [128] }, test_list: test.txt } }");
        File.WriteAllText(file, File.ReadAllText(file).Replace("  tiny: { model: simple-unet, lr: 0.001 }\n",
            "  tiny: { model: simple-unet, lr: 0.001 }\n  weighted: { model: simple-unet, lr: 0.001, class_weights: balanced }\n", StringComparison.Ordinal));
        var runs = Runner(file).Run(StageIds.Report);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        // balanced: the background, most of the pixels, weighs least, from the training images' own pixels.
        var trainLog = File.ReadAllText(Directory.EnumerateFiles(_dir["folder/out"], "train.log", SearchOption.AllDirectories)
            .Single(f => File.ReadAllText(f).Contains("class weights", StringComparison.Ordinal)));
        var weights = System.Text.RegularExpressions.Regex.Match(trainLog, @"class weights \(balanced, from the \d+ training images' labelled pixels\): class 0 ([\d.]+), class 1 ([\d.]+), class 2 ([\d.]+)");
        Assert.True(weights.Success, trainLog);
        var (background, pet, border) = (double.Parse(weights.Groups[1].Value), double.Parse(weights.Groups[2].Value), double.Parse(weights.Groups[3].Value));
        Assert.True(background < 1 && pet > 1 && border > 1, trainLog);
        Assert.Contains("loss: cross-entropy weighted by class", trainLog);

        using (var test = TensorCache.Open(_dir["folder/out/data/cache/folder-32/test.petc"]))
            Assert.Equal(new byte[] { 0, 1, 2 }, Enumerable.Range(0, test.Count).SelectMany(i => test.Mask(i).ToArray()).Distinct().Order());
        var report = File.ReadAllText(_dir["folder/out/report/report.md"]);
        Assert.Contains("| Experiment | background | pet | border | mean IoU |", report);
        Assert.Matches(@"\| tiny \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", report);
        Assert.Matches(@"Confusion of \w+ \(best mean IoU\)", report);
        Assert.Matches(@"\| border \| [\d.]+ % \| [\d.]+ % \| [\d.]+ % \|", report);
        // The grids draw the third class in its own colour (VOC's green for label 2) in the true masks' column.
        var grid = Directory.EnumerateFiles(_dir["folder/out"], EvaluateStage.BestGrid, SearchOption.AllDirectories).First();
        using (var image = Image.Load<Rgb24>(grid))
        {
            int green = 0, third = image.Width / 3;
            for (int y = 0; y < image.Height; y++) for (int x = third; x < 2 * third; x++) if (image[x, y] == new Rgb24(0, 128, 0)) green++;
            Assert.True(green > 0);
        }

        var (exit, log) = CliProcess.Run("export", "tiny", "--out", _dir["tiny.onnx"], "--config", file);
        Assert.True(exit == 0, log);
        Assert.Contains("logits float32 [N,3,H,W]", log);
        using (var session = new Microsoft.ML.OnnxRuntime.InferenceSession(_dir["tiny.onnx"]))
            Assert.Equal("0 background, 1 pet, 2 border", session.ModelMetadata.CustomMetadataMap["petseg.classes"]);

        // predict writes the labels themselves, and says what share of each class but the background it found.
        var photo = Directory.EnumerateFiles(_dir["pets/images"]).Order(StringComparer.Ordinal).First();
        (exit, log) = CliProcess.Run("predict", photo, "--experiment", "tiny", "--out", _dir["mask.png"], "--overlay", _dir["overlay.png"], "--config", file);
        Assert.True(exit == 0, log);
        Assert.Matches(@"\d+×\d+, (([\d.]+ % (pet|border)(, )?)+|background only) → ", log);
        // A palette PNG as VOC's: the labels by index, drawn in VOC's colours, read back by index as an imported mask is.
        Assert.Equal(3, File.ReadAllBytes(_dir["mask.png"])[25]); // IHDR colour type: indexed
        var read = PetSeg.Data.Dataset.MaskFile.Read(_dir["mask.png"]);
        Assert.True(read.FromPalette);
        Assert.Subset(new HashSet<byte> { 0, 1, 2 }, read.Pixels.ToHashSet());
        var config = PipelineConfigLoader.Load(file);
        using (var library = PetSeg.Inference.PredictionModel.Load(TrainedExperiment.Find(config, Runner(file), "tiny").WeightsPath))
        {
            Assert.Equal(3, library.Spec.Classes);
            Assert.Equal(PetSeg.Inference.Predictor.Predict(library.Model, photo, library.Spec.ImageSize).Mask, read.Pixels); // what the library predicts
        }
        Assert.True(File.Exists(_dir["overlay.png"]));
    }

    [Fact]
    public void Pascal_VOC_as_it_ships_imports_with_the_lines_the_docs_give()
    {
        var voc = _dir["VOC2012"];
        var testStems = VocPalette.WriteVoc2012(voc, _dir["pets"], Tiny);

        var docs = File.ReadAllText(RepoFiles.Path("docs/configuration.md"));
        var start = docs.IndexOf("    path: ~/data/VOCdevkit/VOC2012", StringComparison.Ordinal);
        var end = docs.IndexOf("ignore: [255]", start, StringComparison.Ordinal) + "ignore: [255]".Length;
        Assert.True(start >= 0 && end > start, "the docs' VOC lines");
        var lines = docs[start..end].Replace("~/data/VOCdevkit/VOC2012", voc, StringComparison.Ordinal);
        var file = Project("folder", "dataset:\n  source: folder\n  folder:\n" + lines + "\n");
        var progress = new ProgressLines();
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(file), progress).Run(StageIds.Preprocess);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.Contains(progress.All, l => l.StartsWith("download: passed over 2 image(s) without a mask (images_without_masks: skip), such as ", StringComparison.Ordinal));
        Assert.Equal(PetSeg.Data.Dataset.PascalVocLayout.ClassNames, File.ReadAllLines(_dir["folder/out/data/folder-dataset/annotations/classes.txt"])); // the docs' list is the layout's
        using var test = TensorCache.Open(_dir["folder/out/data/cache/folder-32/test.petc"]);
        using var trainval = TensorCache.Open(_dir["folder/out/data/cache/folder-32/trainval.petc"]);
        Assert.Equal(testStems.Count, test.Count);
        Assert.Equal(8, test.Count + trainval.Count);
        var labels = Enumerable.Range(0, trainval.Count).SelectMany(i => trainval.Mask(i).ToArray()).Distinct().Order().ToArray();
        Assert.Equal(new byte[] { 0, 8, 12, 255 }, labels); // the palette's indices: cat and dog, the border ignored
    }

    [Fact]
    public void The_key_follows_the_folders_content_wherever_it_lies()
    {
        FolderDatasets.Write(_dir["pets"], Tiny);
        var file = Project("folder", FolderSource("../pets"));
        var first = Runner(file).Run(StageIds.Preprocess);
        var downloadKey = first.Single(r => r.Stage == StageIds.Download).Key;

        // Moved to another folder (another machine's path): nothing is stale, nothing runs.
        Directory.Move(_dir["pets"], _dir["elsewhere"]);
        file = Project("folder", FolderSource(_dir["elsewhere"]));
        var status = Runner(file).Status();
        Assert.All(status.Where(s => s.Stage is StageIds.Download or StageIds.Preprocess), s => Assert.Equal(Freshness.Fresh, s.State));
        Assert.Equal(downloadKey, status.Single(s => s.Stage == StageIds.Download).Key);

        // One mask pixel changed: the download stage says which input changed, and the import and the cache follow.
        var mask = _dir["elsewhere/masks/Bengal_1.png"];
        using (var image = Image.Load<L8>(mask)) { image[0, 0] = new L8(255); image.SaveAsPng(mask); }
        var stale = Runner(file).Status().Single(s => s.Stage == StageIds.Download);
        Assert.Equal(Freshness.Stale, stale.State);
        Assert.Equal(["input dataset.folder.masks changed"], stale.Reasons);
        var again = Runner(file).Run(StageIds.Preprocess);
        Assert.All(again, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        using var trimap = Image.Load<L8>(_dir["folder/out/data/folder-dataset/annotations/trimaps/Bengal_1.png"]);
        Assert.Equal(1, trimap[0, 0].PackedValue); // 255 is the foreground: trimap 1

        // The folder gone: which input, where it was looked for.
        Directory.Move(_dir["elsewhere/masks"], _dir["elsewhere/masks-old"]);
        var e = Assert.Throws<ConfigException>(() => PipelineConfigLoader.Load(file));
        Assert.Contains($"dataset.folder.masks: {_dir["elsewhere/masks"]} does not exist", e.Message);
    }

    [Fact]
    public void A_file_rewritten_with_its_size_and_time_kept_is_found_before_anything_is_published()
    {
        FolderDatasets.Write(_dir["pets"], Tiny);
        var file = Project("folder", FolderSource("../pets"));
        Runner(file).Run(StageIds.Download);
        var photo = _dir["pets/images/pug_1.jpg"];
        var time = File.GetLastWriteTimeUtc(photo);
        var bytes = File.ReadAllBytes(photo);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(photo, bytes);
        File.SetLastWriteTimeUtc(photo, time); // the memo of digests by size and time cannot see it

        Assert.Equal(Freshness.Fresh, Runner(file).Status().Single(s => s.Stage == StageIds.Download).State); // as DVC's stat cache
        var e = Assert.Throws<PipelineException>(() => Runner(file).Run(StageIds.Download, force: true));
        Assert.Equal($"download: its input dataset.folder.images ({_dir["pets/images"]}) changed since its digest was taken for the key " +
                     "(rewritten keeping its size and time?); nothing was published: run it again once the files are settled", e.Message);
        // The bytes were hashed then: the next run keys them as they are.
        Assert.Equal(["input dataset.folder.images changed"], Runner(file).Status().Single(s => s.Stage == StageIds.Download).Reasons);
        Assert.Equal(StageOutcome.Executed, Runner(file).Run(StageIds.Download).Single().Outcome);
        Assert.Equal(bytes, File.ReadAllBytes(_dir["folder/out/data/folder-dataset/images/pug_1.jpg"]));
    }

    [Fact]
    public void A_folder_that_cannot_be_imported_leaves_no_dataset_and_says_why()
    {
        FolderDatasets.Write(_dir["pets"], Tiny);
        File.Delete(_dir["pets/masks/pug_1.png"]);
        var file = Project("folder", FolderSource("../pets"));
        var e = Assert.Throws<PetSeg.Data.Dataset.DatasetException>(() => Runner(file).Run(StageIds.Preprocess));
        Assert.Contains($"{_dir["pets/images/pug_1.jpg"]}: no mask", e.Message);
        Assert.False(Directory.Exists(_dir["folder/out/data/folder-dataset"]));
        Assert.False(Directory.Exists(_dir["folder/out/data/folder-dataset.partial"]));

        // preprocess.skip_bad_samples leaves the pair out here too, and says so.
        File.WriteAllText(file, File.ReadAllText(file).Replace("preprocess: { image_size: 32 }", "preprocess: { image_size: 32, skip_bad_samples: true }", StringComparison.Ordinal));
        var lines = new ProgressLines();
        var runs = LabPipeline.Runner(PipelineConfigLoader.Load(file), lines).Run(StageIds.Preprocess);
        Assert.All(runs, r => Assert.Equal(StageOutcome.Executed, r.Outcome));
        Assert.Contains($"download: skipped {_dir["pets/images/pug_1.jpg"]}: no mask ({_dir["pets/masks/pug_1.png"]})", lines.All);
        using var test = TensorCache.Open(_dir["folder/out/data/cache/folder-32/test.petc"]);
        using var trainval = TensorCache.Open(_dir["folder/out/data/cache/folder-32/trainval.petc"]);
        Assert.Equal(7, test.Count + trainval.Count);
    }

    public void Dispose() => _dir.Dispose();
}
