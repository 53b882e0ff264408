using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Lab.Stages;
using PetSeg.Metrics;
using PetSeg.Reporting;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;

namespace PetSeg.Lab;

/// <summary>
/// An experiment's trained weights as the current pipeline.yaml defines them (<c>export</c>, <c>predict --experiment</c>):
/// the published result of its train stage, never a stale one. With several seeds (or folds) the first run is taken (or the
/// one named by its run id, <c>unet-hp-seed43</c>, <c>unet-cv-fold2</c>; <see cref="EveryRun"/> gives them all). A
/// matrix whose runs held validation images out names the run the report chooses (<see cref="ValidationChoice"/>), or
/// its refit where it has one (<c>refit: true</c>).
/// </summary>
/// <param name="Chosen">How a matrix's run was chosen, for the command to say; null when the experiment was named.</param>
public sealed record TrainedExperiment(ExperimentConfig Run, string WeightsPath, string? Chosen = null)
{
    public static TrainedExperiment Find(PipelineConfig config, PipelineRunner runner, string experiment)
    {
        var found = Named(config, runner, experiment);
        // A cross-validated experiment is K models, none trained on all of trainval: say which one this is.
        if (found.Run.Folds == 0 || found.Run.Id == experiment) return found;
        var fold = $"the model of fold {found.Run.Fold} of {found.Run.Folds} (trained on the other folds; predict --ensemble takes every fold's)";
        return found with { Chosen = found.Chosen is { } how ? $"{how}; {found.Run.Id}, {fold}" : $"{experiment} → {found.Run.Id}, {fold}" };
    }

    private static TrainedExperiment Named(PipelineConfig config, PipelineRunner runner, string experiment)
    {
        string? chosen = null;
        if (config.MatrixRuns(experiment) is { Count: > 0 } named)
        {
            var runs = $"name one of its runs: {string.Join(", ", named)}";
            if (config.Experiments.Any(c => c.Matrix?.Matrix == experiment && !c.HoldsOut))
                throw new ConfigException($"{config.File}: '{experiment}' is a matrix without validation images to choose on; {runs}");
            if (config.Experiments.FirstOrDefault(e => e.Refit?.Matrix == experiment) is { } refit)
                (experiment, chosen) = (refit.ExperimentId, $"{experiment} → {refit.ExperimentId}, its chosen settings trained on all of trainval{Refitted(runner, experiment)}");
            else
                (experiment, chosen) = ChooseOnValidation(config, runner, experiment, runs);
        }
        // An experiment's first run, or one run of it named as its stages are (unet-hp-seed43, unet-cv-fold2).
        var run = config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment) ?? config.Experiments.FirstOrDefault(e => e.Id == experiment)
            ?? throw config.NoExperiment(experiment);
        return new TrainedExperiment(run, WeightsOf(config, runner, run), chosen);
    }

    /// <summary>
    /// Every run of an experiment (of a matrix, the chosen row's or its refit's), in the order of its seeds and folds:
    /// the members of an ensemble. One run when the experiment has one seed and no folds.
    /// </summary>
    public static IReadOnlyList<TrainedExperiment> EveryRun(PipelineConfig config, PipelineRunner runner, string experiment)
    {
        var first = Named(config, runner, experiment);
        return [.. config.Experiments.Where(e => e.ExperimentId == first.Run.ExperimentId)
            .Select(run => run == first.Run ? first : new TrainedExperiment(run, WeightsOf(config, runner, run), first.Chosen))];
    }

    private static string WeightsOf(PipelineConfig config, PipelineRunner runner, ExperimentConfig run)
    {
        var stage = StageIds.Train(run.Id);
        var entry = runner.FreshEntry(stage)
            ?? throw new PipelineException($"{stage} has no result for the current pipeline.yaml{(config.Profile is { } p ? $" (profile {p})" : "")}; " +
                $"run it first (petseg run {stage}{(config.Profile is { } q ? $" -p {q}" : "")}) or pull it from a remote (petseg pull).");
        return entry.OutputPath(TrainingCheckpoint.WeightsFile);
    }

    /// <summary>" (sweep-2, lr=0.003, for 7 epoch(s))" from the matrix's published choice, or nothing before it is made.</summary>
    private static string Refitted(PipelineRunner runner, string matrix) =>
        runner.FreshEntry(StageIds.Choose(matrix)) is { } entry && RefitChoice.Read(entry.OutputPath(RefitChoice.FileName)) is var c
            ? $" ({c.Experiment}, {c.Label}, for {c.Epochs} epoch(s))" : "";

    /// <summary>The matrix's run with the best validation mean IoU, from its evaluations' results (every seed's).</summary>
    private static (string Run, string How) ChooseOnValidation(PipelineConfig config, PipelineRunner runner, string matrix, string runs)
    {
        MetricsRecord Evaluation(ExperimentConfig run)
        {
            var stage = StageIds.Evaluate(run.Id);
            var entry = runner.FreshEntry(stage)
                ?? throw new PipelineException($"'{matrix}' is a matrix chosen on its validation images, and {stage} has no result for the current pipeline.yaml; " +
                    $"evaluate its runs first (petseg run report{(config.Profile is { } p ? $" -p {p}" : "")}) or {runs}");
            return MetricsFile.Read(entry.OutputPath(EvaluateStage.MetricsName));
        }
        var (row, validation, _) = MatrixChoice.Of(matrix, config.Experiments.Where(e => e.Matrix?.Matrix == matrix), Evaluation)
            ?? throw new PipelineException($"'{matrix}': none of its evaluations recorded validation metrics; {runs}");
        return (row.Experiment, $"{matrix} → {row.Experiment} ({row.Label}), chosen on its validation mean IoU {validation:F4}");
    }
}
