namespace PetSeg.Workflow.Comparison;

/// <summary>One experiment as recorded in a lock file: the parameters of its params stage and the summary of its metrics stage.</summary>
/// <param name="ComputedWith">CPU, kernel path and numerics verdict of its params stage, as the lock recorded them, or "-".</param>
public sealed record ExperimentRow(string Id, SortedDictionary<string, string> Params, SortedDictionary<string, double> Metrics, string ComputedWith = "-")
{
    /// <summary>The experiment this run belongs to (<see cref="ComparisonSchema.GroupParam"/>), or null when it is one of its own.</summary>
    public string? Group { get; init; }

    /// <summary>How many runs the row stands for: 1, or a group's seeds and folds.</summary>
    public int Runs { get; init; } = 1;
}
