namespace PetSeg.Reporting;

/// <summary>What the report shows, as pipeline.yaml's <c>report:</c> section declares it.</summary>
/// <param name="SamplePredictions">How many test images the prediction grid shows per experiment.</param>
public sealed record ReportConfig(string Title, IReadOnlyList<ReportTable> Tables, int SamplePredictions)
{
    /// <summary>The differences the report tests over seeds (A − B), e.g. "Unet: aug − base".</summary>
    public IReadOnlyList<ReportComparison> Comparisons { get; init; } = [];
}
