using PetSeg.Metrics;
using PetSeg.Reporting;

namespace PetSeg.Tests.Reporting;

/// <summary>A matrix's winner is picked on the validation images, and the report says when the test split would have picked another.</summary>
public sealed class ValidationChoiceTests
{
    private static SegmentationMetrics M(double meanIoU) => new(0.1, 0.9, meanIoU, 0.9, 1000, []);

    private static SeedRun Run(long seed, double test, double? validation, int epochs = 10) =>
        new(seed, M(test)) { Validation = validation is { } v ? new HeldOutMetrics(37, M(v)) : null, Epochs = epochs };

    private static readonly ReportTable Sweep = new("Unet tuning: matrix",
        [new ReportRow("lr=0.001", "t-1"), new ReportRow("lr=0.0003", "t-2"), new ReportRow("lr=0.0001", "t-3")]) { Matrix = true };

    [Fact]
    public void The_best_validation_row_is_chosen_and_quoted_with_its_test_figure_and_a_test_pick_is_called_optimistic()
    {
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>
        {
            ["t-1"] = [Run(42, 0.90, 0.91)],
            ["t-2"] = [Run(42, 0.93, 0.95, epochs: 7)],
            ["t-3"] = [Run(42, 0.94, 0.92)], // best on test, not on validation
        };
        var text = ValidationChoice.Render(Sweep, runs);
        Assert.Contains("Chosen on the validation images (37 trainval images each run held out of training): **lr=0.0003** (`t-2`), " +
                        "validation mean IoU 0.9500, test mean IoU 0.9300: the figure to quote for this choice.", text);
        Assert.Contains("Picked on the test split, the choice would have been lr=0.0001 (test mean IoU 0.9400)", text);
        Assert.Contains("| **lr=0.0003** | **0.9500** | 0.9300 | 7 |\n", text);
        Assert.Contains("| lr=0.0001 | 0.9200 | 0.9400 | 10 |\n", text);
    }

    [Fact]
    public void With_seeds_the_choice_is_made_on_means_and_rows_without_a_hold_out_cannot_win()
    {
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>
        {
            ["t-1"] = [Run(42, 0.95, 0.99), Run(43, 0.95, 0.81)], // mean 0.90
            ["t-2"] = [Run(42, 0.93, 0.92, epochs: 6), Run(43, 0.93, 0.94, epochs: 9)], // mean 0.93
            ["t-3"] = [Run(42, 0.99, null)],
        };
        var text = ValidationChoice.Render(Sweep, runs);
        Assert.Contains("; means over 2 seeds): **lr=0.0003** (`t-2`), validation mean IoU 0.9300, test mean IoU 0.9300", text);
        Assert.Contains("| lr=0.0001 | n/a | 0.9900 | 10 |\n", text);
        Assert.Contains("| **lr=0.0003** | **0.9300** | 0.9300 | 6, 9 |\n", text);
    }

    [Fact]
    public void A_refit_is_quoted_as_the_model_the_matrix_ends_with_and_trains_the_chosen_rows_epochs()
    {
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>
        {
            ["t-1"] = [Run(42, 0.90, 0.91)],
            ["t-2"] = [Run(42, 0.93, 0.95, epochs: 6), Run(43, 0.93, 0.94, epochs: 9)],
            ["t-3"] = [Run(42, 0.94, 0.92)],
            ["t-refit"] = [Run(42, 0.9612, null, epochs: 8)],
        };
        var text = ValidationChoice.Render(Sweep with { Refit = "t-refit" }, runs);
        Assert.Contains("Refit on all of trainval with these settings for 8 epoch(s) (`t-refit`): test mean IoU **0.9612**, the model this matrix ends with.", text);
        Assert.DoesNotContain("Refit", ValidationChoice.Render(Sweep with { Refit = "t-refit" }, runs.Where(r => r.Key != "t-refit").ToDictionary())); // not trained yet
        runs["t-refit"] = [Run(42, 0.9612, null, epochs: 8), Run(43, 0.9588, null, epochs: 8)];
        Assert.Contains("for 8 epoch(s) (`t-refit`, mean over 2 seeds): test mean IoU **0.9600**", ValidationChoice.Render(Sweep with { Refit = "t-refit" }, runs));
        // Its epochs: the chosen row's evaluated weights' (7.5 over two seeds → 8); the configured ones when none were recorded.
        Assert.Equal(8, PetSeg.Lab.Stages.ChooseStage.EpochsOf(runs["t-2"], 30));
        Assert.Equal(30, PetSeg.Lab.Stages.ChooseStage.EpochsOf([new SeedRun(1, M(0.5))], 30));
    }

    [Fact]
    public void Nothing_is_said_when_no_run_held_images_out()
    {
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>> { ["t-1"] = [Run(42, 0.9, null)], ["t-2"] = [Run(42, 0.9, null)], ["t-3"] = [Run(42, 0.9, null)] };
        Assert.Equal("", ValidationChoice.Render(Sweep, runs));
        var config = new ReportConfig("r", [Sweep], 0);
        Assert.DoesNotContain("validation", ReportWriter.Tables(config, runs));
    }

    [Fact]
    public void A_metrics_file_keeps_its_validation_block_and_has_none_without_one()
    {
        using var dir = new PetSeg.Tests.Support.TempDir();
        var plain = new MetricsRecord("e", "E", 42, "xxh128:1", 3, M(0.9) with { Dice = 0.8 });
        MetricsFile.Write(dir["plain.json"], plain);
        Assert.DoesNotContain("validation", File.ReadAllText(dir["plain.json"]));
        Assert.Null(MetricsFile.Read(dir["plain.json"]).Validation);

        MetricsFile.Write(dir["held.json"], plain with { Validation = new HeldOutMetrics(12, M(0.7) with { Dice = 0.6 }) });
        var back = MetricsFile.Read(dir["held.json"]).Validation!;
        Assert.Equal((12, 0.7, 0.6), (back.Images, back.Metrics.MeanIoU, back.Metrics.Dice));
        Assert.Equal(0.9, MetricsFile.Read(dir["held.json"]).Metrics.MeanIoU);
        Assert.Equal(["accuracy", "dice", "f1_weighted", "mean_iou", "pixel_error", "val_accuracy", "val_dice", "val_f1_weighted", "val_mean_iou", "val_pixel_error"],
            HeadlineMetrics.Strings(plain.Metrics, back.Metrics).Keys);
    }
}
