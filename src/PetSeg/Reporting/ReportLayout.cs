namespace PetSeg.Reporting;

/// <summary>A report table: a title and rows (label as printed, experiment id), in the lab's order.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<ReportRow> Rows);

public sealed record ReportRow(string Label, string Experiment);

/// <summary>What the report shows, as pipeline.yaml's <c>report:</c> section declares it.</summary>
/// <param name="SamplePredictions">How many test images the prediction grid shows per experiment.</param>
public sealed record ReportConfig(string Title, IReadOnlyList<ReportTable> Tables, int SamplePredictions)
{
    /// <summary>The differences the report tests over seeds (A − B), e.g. "Unet: aug − base".</summary>
    public IReadOnlyList<ReportComparison> Comparisons { get; init; } = [];
}

/// <summary>One comparison of the differences table: experiment <paramref name="A"/> minus experiment <paramref name="B"/>.</summary>
public sealed record ReportComparison(string Label, string A, string B);

/// <summary>One evaluated run of an experiment: its seed and its metrics.</summary>
public sealed record SeedRun(long Seed, PetSeg.Metrics.SegmentationMetrics Metrics);
