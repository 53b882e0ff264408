using PetSeg.Core;
using PetSeg.Lab.Config;
using PetSeg.Lab.Stages;
using PetSeg.Models;
using PetSeg.Training;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;

namespace PetSeg.Lab;

/// <summary>
/// What an experiment's train stage would train on, for tools that train outside the pipeline (<c>petseg lr-find</c>):
/// its settings with the encoder file, and the trainval cache (the run holds <see cref="ExperimentConfig.Validation"/>
/// of it out). The preprocess and weights stages run first (cache hits, pulls from the remote, or computed). With
/// seeds, the first seed's run.
/// </summary>
public sealed record ExperimentTrainingInputs(ExperimentConfig Run, TrainSettings Settings, string TrainvalPath)
{
    public static ExperimentTrainingInputs Resolve(PipelineConfig config, PipelineRunner runner, string experiment, CancellationToken ct = default)
    {
        if (config.Experiments.Where(e => e.Matrix?.Matrix == experiment).DistinctBy(e => e.ExperimentId).ToList() is { Count: > 0 } cells)
            throw new ConfigException($"{config.File}: '{experiment}' is a matrix; name one of its runs: {string.Join(", ", cells.Select(c => $"{c.ExperimentId} ({c.Matrix!.Label})"))}");
        if (config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment && e.Refit is not null) is { } refit)
            throw new ConfigException($"{config.File}: '{experiment}' is a refit: it trains the row its matrix '{refit.Refit!.Matrix}' chooses; name that row (one of {string.Join(", ", config.Experiments.Where(e => e.Matrix?.Matrix == refit.Refit.Matrix).Select(e => e.ExperimentId).Distinct())})");
        var run = config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment)
            ?? throw new ConfigException($"{config.File}: no experiment '{experiment}'{ClosestName.Suggestion(experiment, config.Experiments.Select(e => e.ExperimentId))}. " +
                $"Defined: {string.Join(", ", config.Experiments.Select(e => e.ExperimentId).Distinct())}");
        var settings = run.Settings;
        if (run.Pretrained)
        {
            runner.Run(StageIds.Weights, ct: ct);
            var weights = runner.FreshEntry(StageIds.Weights) ?? throw new PipelineException($"{StageIds.Weights} has no result after it ran");
            settings = settings with { EncoderWeights = weights.OutputPath(ModelZoo.EncoderName(settings.Model.Architecture)!) };
        }
        runner.Run(StageIds.Preprocess, ct: ct);
        var preprocessed = runner.FreshEntry(StageIds.Preprocess) ?? throw new PipelineException($"{StageIds.Preprocess} has no result after it ran");
        return new ExperimentTrainingInputs(run, settings, preprocessed.OutputPath(PreprocessStage.OutputName("trainval")));
    }
}
