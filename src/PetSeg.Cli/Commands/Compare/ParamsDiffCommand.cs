using System.ComponentModel;
using PetSeg.Workflow.Comparison;
using PetSeg.Workflow.Store;

namespace PetSeg.Cli.Commands.Compare;

[Description("Each stage's parameters in pipeline.lock now against those committed at REV (default HEAD).")]
public sealed class ParamsDiffCommand : DiffCommand
{
    protected override IReadOnlyList<DiffRow> Diff(PipelineLock old, PipelineLock now, bool all) => LockDiff.Params(old, now, all);
    protected override string SubjectHeader => "stage";
}
