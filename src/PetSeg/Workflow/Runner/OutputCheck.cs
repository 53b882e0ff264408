namespace PetSeg.Workflow.Runner;

/// <summary>One output of a stage that <c>run --check</c> computed again.</summary>
/// <param name="Same">Whether it has the stored bytes; null for an output that records how the stage ran (a log with times), which is not compared.</param>
/// <param name="Detail">Where it differs, when it can be said (the first differing loss, byte or file), else null.</param>
public sealed record OutputCheck(string Name, bool? Same, string? Detail)
{
    public bool Compared => Same is not null;
}
