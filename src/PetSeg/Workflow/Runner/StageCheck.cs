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
    /// <summary>Every compared output has the stored bytes.</summary>
    public bool Reproduced => Outputs.All(o => o.Same is not false);

    /// <summary>The computation stopped where it parted from the stored result (<see cref="Stages.PartedFromStoredException"/>): one output, named with where.</summary>
    public bool StoppedWhereParted { get; init; }
}
