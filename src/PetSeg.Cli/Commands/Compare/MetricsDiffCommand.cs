using PetSeg.Lab;
using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;

namespace PetSeg.Cli.Commands.Compare;

[Description("Each experiment's metrics in pipeline.lock now against those committed at REV (default HEAD): old → new and the change.")]
public sealed class MetricsDiffCommand : DiffCommand
{
    protected override IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all) => LockDiff.Metrics(old, now, LabPipeline.Comparison, all);
    protected override string SubjectHeader => "experiment";
}
