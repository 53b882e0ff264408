using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Lab.Stages;
using PetSeg.Training.Checkpoints;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;

namespace PetSeg.Lab;

/// <summary>
/// An experiment's trained weights as the current pipeline.yaml defines them (<c>export</c>, <c>predict --experiment</c>):
/// the published result of its train stage, never a stale one. With several seeds the first seed's run is taken.
/// </summary>
public sealed record TrainedExperiment(ExperimentConfig Run, string WeightsPath)
{
    public static TrainedExperiment Find(PipelineConfig config, PipelineRunner runner, string experiment)
    {
        if (config.Experiments.Where(e => e.Matrix?.Matrix == experiment).DistinctBy(e => e.ExperimentId).ToList() is { Count: > 0 } cells)
            throw new ConfigException($"{config.File}: '{experiment}' is a matrix; name one of its runs: {string.Join(", ", cells.Select(c => $"{c.ExperimentId} ({c.Matrix!.Label})"))}");
        var run = config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment)
            ?? throw new ConfigException($"{config.File}: no experiment '{experiment}'{ClosestName.Suggestion(experiment, config.Experiments.Select(e => e.ExperimentId))}. " +
                $"Defined: {string.Join(", ", config.Experiments.Select(e => e.ExperimentId).Distinct())}");
        var stage = StageIds.Train(run.Id);
        var entry = runner.FreshEntry(stage)
            ?? throw new PipelineException($"{stage} has no result for the current pipeline.yaml{(config.Profile is { } p ? $" (profile {p})" : "")}; " +
                $"run it first (petseg run {stage}{(config.Profile is { } q ? $" -p {q}" : "")}) or pull it from a remote (petseg pull).");
        return new TrainedExperiment(run, entry.OutputPath(TrainingCheckpoint.WeightsFile));
    }
}
