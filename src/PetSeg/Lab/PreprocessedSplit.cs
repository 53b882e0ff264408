using PetSeg.Lab.Stages;
using PetSeg.Workflow.Runner;

namespace PetSeg.Lab;

/// <summary>
/// A split's tensor cache as the current pipeline.yaml preprocesses it, for work from outside the pipeline
/// (<c>petseg score</c> on "test", <c>petseg lr-find</c> on "trainval"): the preprocess stage runs first (a cache hit,
/// a pull from the remote, or computed).
/// </summary>
public static class PreprocessedSplit
{
    public static string CachePath(PipelineRunner runner, string split, CancellationToken ct = default) =>
        runner.RunToEntry(StageIds.Preprocess, ct).OutputPath(PreprocessStage.OutputName(split));
}
