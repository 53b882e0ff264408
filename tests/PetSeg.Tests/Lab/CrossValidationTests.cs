using System.Globalization;
using System.Text.Json;
using PetSeg.Data.Cache;
using PetSeg.Data.Splits;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>folds:</c> through the program: an experiment trains once per fold, each run holding its fold of trainval out and
/// scoring exactly it, so the folds' validation pixels are trainval's, once each; the report gives each fold's score and
/// their mean, the folds' ensemble scores as one model, a matrix is chosen by cross-validation and refits on all of trainval.
/// </summary>
// Outside the torch collection: everything computes in petseg processes, so it runs beside other tests.
public sealed class CrossValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 24, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 32 }
        weights: { source: synthetic }
        training: { epochs: 2, batch_size: 4 }
        experiments:
          cv: { model: simple-unet, lr: 0.003, folds: 3, ensemble: true }
          sweep: { model: simple-unet, title: Sweep, folds: 2, keep: best, refit: true, matrix: { lr: [0.01, 0.00005] } }
        report: { title: Cross-validated, tables: [] }
        """;

    private (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", _dir["pipeline.yaml"]]);

    [Fact]
    public void Each_fold_is_held_out_once_scored_reported_and_ensembled_and_a_matrix_is_chosen_on_the_folds()
    {
        File.WriteAllText(_dir["pipeline.yaml"], Yaml);
        var (exit, log) = Petseg("run", "report");
        Assert.True(exit == 0, log);
        for (int k = 1; k <= 3; k++)
            Assert.Contains($"train-cv-fold{k}: simple-unet (classes 2), Adam lr 0.003 wd 0, 2 epoch(s), batch 4, no augmentation, 8 of 12 images (4 held out for validation: fold {k} of 3)", log);
        Assert.Contains("evaluate-cv-ensemble: the 3 folds of cv as one model, the mean of their class probabilities", log);

        // Each fold's evaluation scored the images of its fold, by name: together every valid trainval pixel, once.
        var cachePath = Directory.EnumerateFiles(_dir["out/data/cache"], "trainval.petc", SearchOption.AllDirectories).Single();
        long[] foldPixels;
        long allPixels;
        using (var cache = TensorCache.Open(cachePath))
        {
            var stems = cache.Entries.Select(e => e.Stem).ToList();
            long Pixels(IEnumerable<int> images) => images.Sum(i => (long)cache.Mask(i).ToArray().Count(v => v != 255));
            foldPixels = [.. Enumerable.Range(1, 3).Select(k => Pixels(CrossValidationFolds.Split(stems, 3, k).Validation))];
            allPixels = Pixels(Enumerable.Range(0, cache.Count));
        }
        Assert.Equal(allPixels, foldPixels.Sum());
        var folds = Enumerable.Range(1, 3).Select(k => JsonDocument.Parse(File.ReadAllText(Output($"evaluate-cv-fold{k}", "metrics.json"))).RootElement.GetProperty("validation")).ToList();
        Assert.Equal(foldPixels, folds.Select(v => v.GetProperty("metrics").GetProperty("valid_pixels").GetInt64()));
        Assert.Equal([4, 4, 4], folds.Select(v => v.GetProperty("images").GetInt32()));

        // The report: each fold's validation mean IoU, their mean, and the ensemble's test figure.
        var scores = folds.Select(v => v.GetProperty("metrics").GetProperty("mean_iou").GetDouble()).ToList();
        var ensemble = JsonDocument.Parse(File.ReadAllText(Output("evaluate-cv-ensemble", "metrics.json"))).RootElement.GetProperty("metrics").GetProperty("mean_iou").GetDouble();
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains("## Cross-validation", report);
        Assert.Contains($"| cv | 3 | {string.Join(", ", scores.Select(F))} | **{F(scores.Average())} ± ", report);
        Assert.EndsWith($" | {F(ensemble)} |", report.Split('\n').Single(l => l.StartsWith("| cv | 3 |", StringComparison.Ordinal)));
        Assert.DoesNotContain("## Ensembles of seeds", report); // the folds' ensemble is in the cross-validation table

        // The matrix is chosen on the mean of its rows' folds, and refits on all of trainval.
        var rows = new[] { "sweep-1", "sweep-2" }.ToDictionary(r => r, r => Enumerable.Range(1, 2).Average(k =>
            JsonDocument.Parse(File.ReadAllText(Output($"evaluate-{r}-fold{k}", "metrics.json"))).RootElement.GetProperty("validation").GetProperty("metrics").GetProperty("mean_iou").GetDouble()));
        var best = rows.MaxBy(r => r.Value).Key; // the first of equals, as the report
        Assert.Contains($"Chosen by 2-fold cross-validation (each run held one fold of trainval out of training; means over 2 runs): **lr=", report);
        Assert.Contains($"** (`{best}`), validation mean IoU {F(rows[best])}, ", report);
        Assert.Contains($"choose-sweep: {best} (lr=", log);
        Assert.Contains("train-sweep-refit: simple-unet (classes 2), Adam lr ", log);
        Assert.Matches(@"train-sweep-refit: simple-unet \(classes 2\), Adam lr [0-9.E-]+ wd 0, [12] epoch\(s\), batch 4, no augmentation, 12 images\n", log);

        // exp show: a row per fold with its fold; the ensemble's row says its folds.
        (exit, log) = Petseg("exp", "show", "--json");
        Assert.True(exit == 0, log);
        var shown = JsonDocument.Parse(log).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("experiment").GetString()!, r => r.GetProperty("params"));
        Assert.Equal(("2", "3"), (shown["cv-fold2"].GetProperty("fold").GetString(), shown["cv-fold2"].GetProperty("folds").GetString()));
        Assert.Equal("3", shown["cv-ensemble"].GetProperty("folds").GetString());
        // --group: one row per experiment, its folds' metrics averaged; the ensemble keeps a row of its own.
        (exit, log) = Petseg("exp", "show", "--group", "--json");
        Assert.True(exit == 0, log);
        var grouped = JsonDocument.Parse(log).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("experiment").GetString()!);
        Assert.Equal(["cv", "sweep-1", "sweep-2", "sweep-refit", "cv-ensemble"], grouped.Keys);
        Assert.Equal((3, "1,2,3"), (grouped["cv"].GetProperty("runs").GetInt32(), grouped["cv"].GetProperty("params").GetProperty("fold").GetString()));
        Assert.Equal(scores.Average(), grouped["cv"].GetProperty("metrics").GetProperty("val_mean_iou").GetDouble(), 12);
        Assert.Equal(1, grouped["cv-ensemble"].GetProperty("runs").GetInt32());

        // Naming the experiment takes its first fold's model, and says so; --ensemble all of them.
        (exit, log) = Petseg("export", "cv", "--out", _dir["cv.safetensors"]);
        Assert.True(exit == 0, log);
        Assert.Contains("export: cv → cv-fold1, the model of fold 1 of 3 (trained on the other folds; predict --ensemble takes every fold's)", log);
        var image = Directory.EnumerateFiles(_dir["out/data"], "*.jpg", SearchOption.AllDirectories).First();
        (exit, log) = Petseg("predict", "--experiment", "cv", "--ensemble", image, "--out", _dir["mask.png"]);
        Assert.True(exit == 0, log);
        Assert.Contains("an ensemble of 3 (the mean of their class probabilities)", log);
    }

    /// <summary>A stage's output in the store, by the key pipeline.lock gives the stage.</summary>
    private string Output(string stage, string name) => StoreEntryFiles.Locked(_dir["out/store/objects"], _dir["pipeline.lock"], stage, name);

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    public void Dispose() => _dir.Dispose();
}
