namespace PetSeg.Workflow.Runner;

/// <summary>One line of <c>petseg status</c>: whether a stage's result for the current inputs exists, and if not, why.</summary>
public sealed record StageStatus(string Stage, Freshness State, string? Key, IReadOnlyList<string> Reasons)
{
    /// <summary>Whether a run that needs the stage does work for it: it is stale, or it refreshes a view even when fresh.</summary>
    public bool Runs { get; init; } = State == Freshness.Stale;
}
