using System.Text.Json;
using PetSeg.Data.Cache;
using PetSeg.Data.Splits;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Lab;

/// <summary>
/// <c>validation:</c> through the program: the trainings of a matrix leave images of trainval out, the evaluations
/// score exactly those, the lock and <c>exp show</c> carry the validation metrics, and the report picks the matrix's
/// row on them; <c>refit: true</c> then trains that row again on all of trainval. Without a hold-out nothing changes: no
/// validation in metrics.json or the keys' parameters.
/// </summary>
// Outside the torch collection: everything computes in petseg processes, so it runs beside other tests.
public sealed class ValidationHoldOutTests : IDisposable
{
    private readonly TempDir _dir = new();

    private const string Yaml = """
        artifacts: out
        dataset: { source: synthetic, synthetic: { count: 24, seed: 3, min_width: 40, max_width: 48, min_height: 36, max_height: 44 } }
        preprocess: { image_size: 32 }
        weights: { source: synthetic }
        training: { epochs: 2, batch_size: 4, validation: 0.25 }
        experiments:
          sweep: { model: simple-unet, title: Sweep, epochs: 3, keep: best, patience: 1, matrix: { lr: [0.01, 0.00005] } }
          plain: { model: simple-unet, lr: 0.001, epochs: 1, validation: 0 }
        report: { title: Held out, tables: [] }
        """;

    private (int Exit, string Output) Petseg(params string[] args) => CliProcess.Run([.. args, "--config", _dir["pipeline.yaml"]]);

    [Fact]
    [Trait("Category", "Slow")]
    public void A_matrix_holds_images_out_scores_them_and_is_chosen_on_them()
    {
        File.WriteAllText(_dir["pipeline.yaml"], Yaml);
        var (exit, log) = Petseg("export", "sweep", "--out", _dir["best.safetensors"]); // the matrix's choice needs its evaluations
        Assert.Equal(1, exit);
        Assert.Contains("'sweep' is a matrix chosen on its validation images, and evaluate-sweep-1 has no result for the current pipeline.yaml; evaluate its runs first (petseg run report) or name one of its runs: sweep-1 (lr=0.01), sweep-2 (lr=0.00005)", log);

        (exit, log) = Petseg("run", "report");
        Assert.True(exit == 0, log);
        Assert.Contains("train-sweep-1: simple-unet (classes 2), Adam lr 0.01 wd 0, 3 epoch(s), batch 4, no augmentation, 9 of 12 images (3 held out for validation)", log);
        Assert.Contains("train-plain: simple-unet (classes 2), Adam lr 0.001 wd 0, 1 epoch(s), batch 4, no augmentation, 12 images", log);
        Assert.Contains("epoch 2/3: train loss", log);
        Assert.Contains("(9 images in", log);

        // The held-out images are the split's, by name: their valid (non-border) pixels are what the evaluation counted.
        var cachePath = Directory.EnumerateFiles(_dir["out/data/cache"], "trainval.petc", SearchOption.AllDirectories).Single();
        long heldPixels;
        using (var cache = TensorCache.Open(cachePath))
        {
            var held = ValidationSplit.Of([.. cache.Entries.Select(e => e.Stem)], 0.25).Validation;
            Assert.Equal(3, held.Length);
            heldPixels = held.Sum(i => (long)cache.Mask(i).ToArray().Count(v => v != 255));
        }
        var lockText = File.ReadAllText(_dir["pipeline.lock"]);
        foreach (var run in new[] { "sweep-1", "sweep-2" })
        {
            var metrics = JsonDocument.Parse(File.ReadAllText(MetricsFileOf(lockText, run))).RootElement;
            var validation = metrics.GetProperty("validation");
            Assert.Equal(3, validation.GetProperty("images").GetInt32());
            Assert.Equal(heldPixels, validation.GetProperty("metrics").GetProperty("valid_pixels").GetInt64());
            Assert.NotEqual(metrics.GetProperty("metrics").GetProperty("valid_pixels").GetInt64(), heldPixels); // the test split is another
        }
        Assert.False(JsonDocument.Parse(File.ReadAllText(MetricsFileOf(lockText, "plain"))).RootElement.TryGetProperty("validation", out _));
        Assert.Contains("validation: 0.25", lockText);
        // The trainings' validation curves, one value per epoch trained (patience 1 stops after an epoch without
        // improvement); keep: best publishes the best epoch's weights, which the evaluation then scores the curve's best.
        foreach (var run in new[] { "sweep-1", "sweep-2" })
        {
            var curve = JsonDocument.Parse(File.ReadAllText(OutputOf(lockText, "train", run, "losses.json"))).RootElement
                .GetProperty("validation_mean_iou").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.InRange(curve.Count, 2, 3);
            if (curve.Count == 2) Assert.True(curve[1] <= curve[0], $"{run} stopped early after an improvement: {string.Join(", ", curve)}");
            var evaluated = JsonDocument.Parse(File.ReadAllText(MetricsFileOf(lockText, run))).RootElement;
            Assert.Equal(curve.Max(), evaluated.GetProperty("validation").GetProperty("metrics").GetProperty("mean_iou").GetDouble());
            Assert.Equal(curve.IndexOf(curve.Max()) + 1, evaluated.GetProperty("epochs").GetInt32());
        }
        Assert.DoesNotContain("validation", File.ReadAllText(OutputOf(lockText, "train", "plain", "losses.json")));
        Assert.Contains("val_mean_iou:", lockText);

        // exp show sorts by the validation figure, and shows its columns.
        (exit, log) = Petseg("exp", "show", "--json", "--sort", "val_mean_iou");
        Assert.True(exit == 0, log);
        var rows = JsonDocument.Parse(log).RootElement.EnumerateArray()
            .Select(r => (Id: r.GetProperty("experiment").GetString()!, Val: r.GetProperty("metrics").TryGetProperty("val_mean_iou", out var v) ? v.GetDouble() : (double?)null)).ToList();
        Assert.Equal("plain", rows[^1].Id); // it held nothing out: last
        Assert.Null(rows[^1].Val);
        var values = rows.SkipLast(1).Select(r => r.Val!.Value).ToList();
        Assert.Equal(2, values.Count);
        Assert.Equal(values.OrderDescending(), values);
        (exit, log) = Petseg("exp", "show", "--csv");
        Assert.True(exit == 0, log);
        Assert.Contains(",val_mean_iou,", log.Split('\n')[0]);
        (exit, log) = Petseg("exp", "show");
        Assert.True(exit == 0, log);
        Assert.Contains(" 5e-05 ", log); // the lock's 5E-05, as Python and YAML write it
        Assert.DoesNotContain("5E-05", log);

        // The report picks the row with the best validation mean IoU, and names it.
        var report = File.ReadAllText(_dir["out/report/report.md"]);
        var best = rows[0].Id;
        Assert.Contains($"Chosen on the validation images (3 trainval images each run held out of training): **lr=", report);
        Assert.Contains($"** (`{best}`), validation mean IoU ", report);
        Assert.Contains("| validation mean IoU | test mean IoU |", report);
        Assert.Contains("![validation mean IoU per epoch](validation.png)", report);
        Assert.True(new FileInfo(_dir["out/report/validation.png"]).Length > 1000);

        // Naming the matrix exports (and predicts with) the run the report chose.
        (exit, log) = Petseg("export", "sweep", "--out", _dir["best.safetensors"]);
        Assert.True(exit == 0, log);
        Assert.Contains($"export: sweep → {best} (lr=", log);
        Assert.Contains("), chosen on its validation mean IoU ", log);
        Assert.Contains($"export: {best} (", log);

        // refit: true, added afterwards: the runs' results are reused, the chosen row trains again on all of trainval for
        // the epochs its evaluated weights had, and the matrix's name now means that model.
        var chosen = JsonDocument.Parse(File.ReadAllText(MetricsFileOf(lockText, best))).RootElement;
        var epochs = chosen.GetProperty("epochs").GetInt32();
        var lr = JsonDocument.Parse(Petseg("exp", "show", "--json").Output).RootElement.EnumerateArray()
            .Single(r => r.GetProperty("experiment").GetString() == best).GetProperty("params").GetProperty("lr").GetString();
        File.WriteAllText(_dir["pipeline.yaml"], Yaml.Replace("patience: 1,", "patience: 1, refit: true,", StringComparison.Ordinal));
        (exit, log) = Petseg("run", "report");
        Assert.True(exit == 0, log);
        Assert.DoesNotContain("train-sweep-1: running", log);
        Assert.DoesNotContain("evaluate-sweep-2: running", log);
        Assert.Contains($"choose-sweep: {best} (lr=", log);
        Assert.Contains($"train-sweep-refit: simple-unet (classes 2), Adam lr {lr} wd 0, {epochs} epoch(s), batch 4, no augmentation, 12 images\n", log);
        lockText = File.ReadAllText(_dir["pipeline.lock"]);
        var refitLosses = JsonDocument.Parse(File.ReadAllText(OutputOf(lockText, "train", "sweep-refit", "losses.json"))).RootElement;
        Assert.Equal(epochs, refitLosses.GetProperty("epoch_losses").GetArrayLength());
        Assert.False(refitLosses.TryGetProperty("validation_mean_iou", out _)); // nothing held out
        Assert.Equal(epochs, JsonDocument.Parse(File.ReadAllText(MetricsFileOf(lockText, "sweep-refit"))).RootElement.GetProperty("epochs").GetInt32());
        Assert.Contains($"    resolved:\n", lockText);
        Assert.Contains($"      chosen: {best} (lr=", lockText);
        var refitRow = JsonDocument.Parse(Petseg("exp", "show", "--json").Output).RootElement.EnumerateArray().Single(r => r.GetProperty("experiment").GetString() == "sweep-refit");
        Assert.Equal((lr, epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (refitRow.GetProperty("params").GetProperty("lr").GetString(), refitRow.GetProperty("params").GetProperty("epochs").GetString()));
        report = File.ReadAllText(_dir["out/report/report.md"]);
        Assert.Contains($"Refit on all of trainval with these settings for {epochs} epoch(s) (`sweep-refit`): test mean IoU **", report);
        (exit, log) = Petseg("export", "sweep", "--out", _dir["refit.safetensors"]);
        Assert.True(exit == 0, log);
        Assert.Contains($"export: sweep → sweep-refit, its chosen settings trained on all of trainval ({best}, lr=", log);
        Assert.Contains($"for {epochs} epoch(s))", log);
    }

    /// <summary>The metrics.json of an evaluation, by the key pipeline.lock gives it.</summary>
    private string MetricsFileOf(string lockText, string experiment) => OutputOf(lockText, "evaluate", experiment, "metrics.json");

    /// <summary>A stage's output in the store, by the key pipeline.lock gives the stage (the lock as it is now: <paramref name="lockText"/> says when it was read).</summary>
    private string OutputOf(string lockText, string kind, string experiment, string output)
    {
        Assert.Contains($"  {kind}-{experiment}:\n", lockText);
        return StoreEntryFiles.Locked(_dir["out/store/objects"], _dir["pipeline.lock"], $"{kind}-{experiment}", output);
    }

    public void Dispose() => _dir.Dispose();
}
