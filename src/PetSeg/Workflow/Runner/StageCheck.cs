namespace PetSeg.Workflow.Runner;

/// <summary>
/// What <c>run --check</c> found for one stage: it computed the stage again from the same inputs and compared every
/// output with the stored result, which it left as it was.
/// </summary>
/// <param name="StoredOn">What computed the stored result (its entry's record), or null for a stage that does not compute with torch.</param>
/// <param name="CheckedOn">What computed it again here, or null likewise.</param>
public sealed record StageCheck(string Stage, string Key, IReadOnlyList<OutputCheck> Outputs, TimeSpan Duration,
    PetSeg.Compute.ComputeRecord? StoredOn = null, PetSeg.Compute.ComputeRecord? CheckedOn = null)
{
    /// <summary>Checked, and every compared output has the stored bytes.</summary>
    public bool Reproduced => NotChecked is null && Outputs.All(o => o.Same is not false);

    /// <summary>Why the stage was not computed again (nothing stored to check against), or null where it was.</summary>
    public string? NotChecked { get; init; }

    /// <summary>A stage of a check of several that had nothing stored to check against: passed over, <paramref name="why"/>.</summary>
    public static StageCheck NotCheckable(string stage, string why) => new(stage, "", [], TimeSpan.Zero) { NotChecked = why };

    /// <summary>The computation stopped where it parted from the stored result (<see cref="Stages.PartedFromStoredException"/>): one output, named with where.</summary>
    public bool StoppedWhereParted { get; init; }
}
