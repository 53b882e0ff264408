namespace PetSeg.Reporting;

/// <summary>Everything the report shows; figures are file names relative to the report.</summary>
public sealed record ReportInput(
    ReportConfig Config,
    IReadOnlyList<string> Experiments,
    IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> Runs,
    string? LossChart,
    string? IouChart,
    IReadOnlyDictionary<string, ExperimentFigures> PredictionGrids,
    IReadOnlyList<StageSummary> Stages,
    IReadOnlyList<(string Name, string Value)> Environment)
{
    /// <summary>The validation curves (<see cref="ValidationPlot"/>), when some training held images out.</summary>
    public string? ValidationChart { get; init; }

    /// <summary>The classes' names by label (the lab's: background, pet).</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = Core.SegmentationLabels.Names;

    /// <summary>Null: each image was resized whole (the lab). A scale: each was scaled by it and cut into <see cref="ImageSize"/>² tiles.</summary>
    public double? TileScale { get; init; }

    public int ImageSize { get; init; }

    /// <summary>Each experiment's per-image IoU on the test split (its first run's), in the report's order: the per-breed table.</summary>
    public IReadOnlyList<(string Experiment, IReadOnlyList<ImageIoU> Images)> PerImage { get; init; } = [];

    /// <summary>The experiments whose seeds were also evaluated as one model (<c>ensemble: true</c>): that evaluation, by experiment.</summary>
    public IReadOnlyDictionary<string, Metrics.MetricsRecord> Ensembles { get; init; } = new Dictionary<string, Metrics.MetricsRecord>();
}
