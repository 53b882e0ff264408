using PetSeg.Lab.Stages;
using PetSeg.Workflow.Graph;
using PetSeg.Workflow.Runner;

namespace PetSeg.Lab;

/// <summary>
/// The lab's test split as the current pipeline.yaml preprocesses it, for scoring a model from outside the pipeline
/// (<c>petseg score</c>): the preprocess stage runs first (a cache hit, a pull from the remote, or computed).
/// </summary>
public static class TestSplit
{
    public static string CachePath(PipelineRunner runner, CancellationToken ct = default)
    {
        runner.Run(StageIds.Preprocess, ct: ct);
        var entry = runner.FreshEntry(StageIds.Preprocess)
            ?? throw new PipelineException($"{StageIds.Preprocess} has no result after it ran");
        return entry.OutputPath(PreprocessStage.OutputName("test"));
    }
}
