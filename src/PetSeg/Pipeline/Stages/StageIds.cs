namespace PetSeg.Pipeline.Stages;

/// <summary>Stage ids, built in one place: they name Cake targets, store entries and pipeline.lock sections.</summary>
public static class StageIds
{
    public const string Download = "download";
    public const string Weights = "weights";
    public const string Preprocess = "preprocess";
    public const string Report = "report";
    public const string TrainKind = "train";
    public const string EvaluateKind = "evaluate";

    public static string Train(string experiment) => $"{TrainKind}-{experiment}";
    public static string Evaluate(string experiment) => $"{EvaluateKind}-{experiment}";
}
