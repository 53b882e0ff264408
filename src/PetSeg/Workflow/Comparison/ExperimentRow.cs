namespace PetSeg.Workflow.Comparison;

/// <summary>One experiment as recorded in a lock file: the parameters of its params stage and the summary of its metrics stage.</summary>
/// <param name="ComputedWith">CPU, kernel path and numerics verdict of its params stage, as the lock recorded them, or "-".</param>
public sealed record ExperimentRow(string Id, SortedDictionary<string, string> Params, SortedDictionary<string, double> Metrics, string ComputedWith = "-");
