namespace PetSeg.Pipeline.Stages;

/// <summary>
/// Bumped by hand when a stage's output for the same inputs would change (a decoder fix, a new cache layout),
/// so that stale artifacts are rebuilt rather than silently reused.
/// </summary>
public static class CodeVersion
{
    public const string Download = "download-1";
    public const string Preprocess = "preprocess-1";
    public const string Weights = "weights-1";
    public const string Train = "train-1";
    public const string Evaluate = "evaluate-1";
    public const string Report = "report-1";
}
