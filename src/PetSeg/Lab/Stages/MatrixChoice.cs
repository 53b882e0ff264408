using PetSeg.Lab.Config;
using PetSeg.Metrics;
using PetSeg.Reporting;

namespace PetSeg.Lab.Stages;

/// <summary>
/// The row a matrix's validation images choose, as the report chooses it (<see cref="ValidationChoice"/>: the best
/// validation mean IoU, mean over seeds), from each run's evaluation wherever it is read from: a stage's inputs (the
/// choose stage) or the store's fresh entries (<c>export</c>, <c>predict</c>).
/// </summary>
/// <param name="Seeds">The chosen row's runs, one per seed.</param>
public sealed record MatrixChoice(ReportRow Row, double Validation, IReadOnlyList<SeedRun> Seeds)
{
    /// <returns>The choice, or null when no evaluation recorded validation metrics.</returns>
    public static MatrixChoice? Of(string matrix, IEnumerable<ExperimentConfig> runs, Func<ExperimentConfig, MetricsRecord> evaluation)
    {
        var all = runs.ToList();
        var seeds = all.GroupBy(r => r.ExperimentId).ToDictionary(g => g.Key,
            g => (IReadOnlyList<SeedRun>)[.. g.Select(r => SeedRun.Of(r.Settings.Seed, evaluation(r), r.Fold))], StringComparer.Ordinal);
        return ValidationChoice.Choose(ExperimentMatrix.Table(matrix, all), seeds) is var (row, validation)
            ? new MatrixChoice(row, validation, seeds[row.Experiment]) : null;
    }
}
