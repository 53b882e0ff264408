namespace PetSeg.Workflow.Comparison;

/// <summary>A metric column of <c>exp show</c> and <c>metrics diff</c>: its name in the lock's summaries and which way is better.</summary>
public sealed record MetricColumn(string Name, bool LowerIsBetter);
