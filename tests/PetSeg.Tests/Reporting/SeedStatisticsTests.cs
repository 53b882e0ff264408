using PetSeg.Lab;
using PetSeg.Reporting;
using PetSeg.Reporting.Statistics;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Reporting;

/// <summary>Intervals over seeds: t quantiles and half-widths against values computed by hand, and the report's new tables as approved snapshots.</summary>
public sealed class SeedStatisticsTests
{
    /// <summary>t(0.975, n − 1) for n = 2..10, from printed tables.</summary>
    [Theory]
    [InlineData(2, 12.7062)]
    [InlineData(3, 4.3027)]
    [InlineData(4, 3.1824)]
    [InlineData(5, 2.7764)]
    [InlineData(6, 2.5706)]
    [InlineData(7, 2.4469)]
    [InlineData(8, 2.3646)]
    [InlineData(9, 2.3060)]
    [InlineData(10, 2.2622)]
    public void Student_t_quantiles_match_the_tables(int n, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(0.975, n - 1), 4);

    [Fact]
    public void Half_widths_match_hand_computation()
    {
        // mean 0.82, s = 0.02, t(0.975, 2) = 4.302653 → 4.302653 · 0.02 / √3 = 0.0496828
        var i = SeedInterval.Of([0.80, 0.82, 0.84]);
        Assert.Equal(0.82, i.Mean, 12);
        Assert.Equal(0.0496828, i.HalfWidth!.Value, 6);
        Assert.Equal(3, i.N);
        Assert.True(i.ExcludesZero);
        // Differences 0.001, −0.002, 0.004: mean 0.001, s = 0.0030, half-width 4.302653 · 0.003 / √3 = 0.0074524 → includes zero.
        var d = SeedInterval.Of([0.001, -0.002, 0.004]);
        Assert.Equal(0.0074524, d.HalfWidth!.Value, 6);
        Assert.False(d.ExcludesZero);
        Assert.Null(SeedInterval.Of([0.5]).HalfWidth); // one seed: no interval
        Assert.Equal(1, SeedInterval.Of([0.5, double.NaN]).N); // a NaN (every pixel ignored) is left out
    }

    private static readonly ReportConfig Config = PipelineConfigLoader.Load(RepoFiles.Path("pipeline.yaml")).Report;

    [Fact]
    public void One_seed_tables_are_the_labs_and_say_no_interval_can_be_given()
    {
        var runs = ReportTablesTests.LabNumbers.ToDictionary(p => p.Key, p => (IReadOnlyList<SeedRun>)[new SeedRun(42, p.Value)]);
        var rendered = ReportWriter.Tables(Config, runs);
        Assert.StartsWith(ReportWriter.Tables(Config, ReportTablesTests.LabNumbers), rendered); // the lab's tables unchanged
        ApprovedFiles.AssertMatches(RepoFiles.Path("tests/PetSeg.Tests/Reporting/Approved/seed-tables-one-seed.approved.md"), rendered);
    }

    [Fact]
    public void Three_seed_tables_show_means_intervals_and_marked_differences_with_a_nan_cell()
    {
        // Seeds 42, 43, 44 move each lab number by −0.004, 0, +0.004 (mean = the lab's number, s = 0.004); the augmented
        // Unet is also shifted per seed so its difference to the base is not constant; one run has no valid pixel.
        double[] offsets = [-0.004, 0, 0.004];
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>();
        foreach (var (id, m) in ReportTablesTests.LabNumbers)
            runs[id] = offsets.Select((o, i) =>
            {
                var extra = id == "unet-aug" ? new[] { 0.003, -0.001, 0.0 }[i] : 0;
                return new SeedRun(42 + i, m with { PixelError = m.PixelError + o + extra, F1Weighted = m.F1Weighted - o, MeanIoU = m.MeanIoU - o - extra });
            }).ToList();
        runs["simple-vit-improved"] = [.. runs["simple-vit-improved"].Take(2), new SeedRun(44, runs["simple-vit-improved"][2].Metrics with { MeanIoU = double.NaN })];
        var rendered = ReportWriter.Tables(Config, runs);
        Assert.Contains("| Unet (base) | 0.0145 ± 0.0099 | 0.9855 ± 0.0099 | 0.9684 ± 0.0099 | 3 |", rendered); // 4.3027 · 0.004 = 0.00994
        Assert.Contains("| Simple ViT (Impl improved) | 0.1339 ± 0.0099 | 0.8639 ± 0.0099 | 0.7398 ± 0.0254 | 3 |", rendered); // NaN left out: n = 2 for that cell
        Assert.Contains("| Unet: improved − base | **-0.0032 ± 0.0000** |", rendered); // the same shift in every seed: a real difference
        ApprovedFiles.AssertMatches(RepoFiles.Path("tests/PetSeg.Tests/Reporting/Approved/seed-tables-three-seeds.approved.md"), rendered);
    }
}
