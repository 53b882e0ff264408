using PetSeg.IO;

namespace PetSeg.Workflow.Runner;

/// <summary>One line of <c>petseg status</c>: whether a stage's result for the current inputs exists, and if not, why.</summary>
public sealed record StageStatus(string Stage, Freshness State, string? Key, IReadOnlyList<string> Reasons)
{
    /// <summary>Whether a run that needs the stage does work for it: it is stale, or it refreshes a view even when fresh.</summary>
    public bool Runs { get; init; } = State == Freshness.Stale;

    /// <summary>The process computing this stage now (a stale one: another terminal's run, a <c>--jobs</c> child; a fresh one: a <c>run --check</c> or <c>--force</c>), or null.</summary>
    public LockOwner? ComputedBy { get; init; }

    /// <summary>How far that computation has got (a training's epochs), where the stage can tell.</summary>
    public string? Progress { get; init; }
}
