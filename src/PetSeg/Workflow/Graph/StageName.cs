namespace PetSeg.Workflow.Graph;

/// <summary>
/// How stages of one kind that differ by subject are named: <c>&lt;kind&gt;-&lt;subject&gt;</c> (train-unet-base), so
/// readers of a lock file (comparisons, diffs) find a subject's stages by kind without the pipeline's definition.
/// </summary>
public static class StageName
{
    public static string Of(string kind, string subject) => $"{kind}-{subject}";

    /// <summary>The subject of <paramref name="id"/> when it is a stage of <paramref name="kind"/>, else null.</summary>
    public static string? SubjectOf(string id, string kind) =>
        id.Length > kind.Length + 1 && id.StartsWith(kind, StringComparison.Ordinal) && id[kind.Length] == '-' ? id[(kind.Length + 1)..] : null;
}
