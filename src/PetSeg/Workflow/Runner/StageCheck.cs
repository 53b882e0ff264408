namespace PetSeg.Workflow.Runner;

/// <summary>
/// What <c>run --check</c> found for one stage: it computed the stage again from the same inputs and compared every
/// output with the stored result, which it left as it was.
/// </summary>
public sealed record StageCheck(string Stage, string Key, IReadOnlyList<OutputCheck> Outputs, TimeSpan Duration)
{
    /// <summary>Every compared output has the stored bytes.</summary>
    public bool Reproduced => Outputs.All(o => o.Same is not false);
}
