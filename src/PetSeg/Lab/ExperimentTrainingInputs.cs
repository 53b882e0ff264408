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
        if (config.MatrixRuns(experiment) is { Count: > 0 } runs)
            throw new ConfigException($"{config.File}: '{experiment}' is a matrix; name one of its runs: {string.Join(", ", runs)}");
        if (config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment && e.Refit is not null) is { } refit)
            throw new ConfigException($"{config.File}: '{experiment}' is a refit: it trains the row its matrix '{refit.Refit!.Matrix}' chooses; name that row (one of {string.Join(", ", config.Experiments.Where(e => e.Matrix?.Matrix == refit.Refit.Matrix).Select(e => e.ExperimentId).Distinct())})");
        var run = config.Experiments.FirstOrDefault(e => e.ExperimentId == experiment) ?? throw config.NoExperiment(experiment);
        var settings = run.Settings;
        if (run.Pretrained)
            settings = settings with { EncoderWeights = runner.RunToEntry(StageIds.Weights, ct).OutputPath(ModelZoo.EncoderName(settings.Model.Architecture)!) };
        return new ExperimentTrainingInputs(run, settings, PreprocessedSplit.CachePath(runner, "trainval", ct));
    }
}
