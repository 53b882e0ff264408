using System.Globalization;
using PetSeg.Lab.Config;
using PetSeg.Metrics;
using PetSeg.Reporting;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Stages;

namespace PetSeg.Lab.Stages;

/// <summary>
/// Chooses a refitting matrix's row as the report does (<see cref="MatrixChoice"/>: the best validation mean IoU,
/// mean over seeds) and writes what its refit trains (<see cref="RefitChoice"/>). A stage of its own so the refit's
/// key follows the choice, not the figures it was made on.
/// </summary>
public sealed class ChooseStage(MatrixRefit refit) : Stage
{
    public override string Id => StageIds.Choose(refit.Matrix);
    public override string Kind => StageIds.ChooseKind;
    public override string CodeVersion => StageVersions.Choose;
    public override IReadOnlyList<string> DependsOn => [.. refit.Runs.Select(r => StageIds.Evaluate(r.Id))];

    public override SortedDictionary<string, string> Parameters => new(StringComparer.Ordinal)
    {
        ["matrix"] = refit.Matrix,
        ["runs"] = string.Join(";", refit.Runs.Select(r => $"{r.Id}={r.Matrix!.Label}")),
        ["on"] = "validation mean_iou, mean over seeds",
    };

    public override bool UsesInput(string dependency, string output) => output == EvaluateStage.MetricsName;

    public override IReadOnlyDictionary<string, StageOutput> Execute(StageContext c)
    {
        var (row, validation, seeds) = MatrixChoice.Of(refit.Matrix, refit.Runs, r => MetricsFile.Read(c.Input(StageIds.Evaluate(r.Id), EvaluateStage.MetricsName).Path))
            ?? throw new PipelineException($"{Id}: none of {refit.Matrix}'s evaluations recorded validation metrics to choose on");
        var chosen = refit.Runs.First(r => r.ExperimentId == row.Experiment);
        var epochs = EpochsOf(seeds, chosen.Settings.Epochs);
        var settings = RefitChoice.Keyed(CanonicalParams.Training(RefitChoice.Refit(chosen.Settings, epochs), chosen.Pretrained));
        c.Ui.Info($"{Id}: {row.Experiment} ({row.Label}), validation mean IoU {validation.ToString("F4", CultureInfo.InvariantCulture)}: " +
                  $"its settings train again on all of trainval for {epochs} epoch(s) ({MatrixRefit.IdOf(refit.Matrix)})");
        var path = new RefitChoice(refit.Matrix, row.Experiment, row.Label, epochs, settings)
            .Write(Path.Combine(c.OutputDir, RefitChoice.FileName));
        return new Dictionary<string, StageOutput> { [RefitChoice.FileName] = c.Output(path) };
    }

    /// <summary>
    /// How long the refit trains: the epochs the chosen row's evaluated weights had (fewer than configured where
    /// <c>keep: best</c> or <c>patience:</c> chose them), the mean over its seeds rounded half away from zero; the
    /// configured epochs where no evaluation recorded them.
    /// </summary>
    public static int EpochsOf(IReadOnlyList<SeedRun> runs, int configured)
    {
        var epochs = runs.Where(r => r.Epochs is not null).Select(r => r.Epochs!.Value).ToList();
        return epochs.Count == 0 ? configured : (int)Math.Round(epochs.Average(), MidpointRounding.AwayFromZero);
    }
}
