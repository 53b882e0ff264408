namespace PetSeg.Workflow.Comparison;

/// <summary>A metric column of <c>exp show</c> and <c>metrics diff</c>: its name in the lock's summaries and which way is better.</summary>
/// <param name="Optional">Shown by <c>exp show</c> only when some experiment has it (metrics only some runs record).</param>
public sealed record MetricColumn(string Name, bool LowerIsBetter, bool Optional = false);
