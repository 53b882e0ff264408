using PetSeg.Workflow.Graph;

namespace PetSeg.Lab.Stages;

/// <summary>The lab's stage kinds and ids, built in one place: they name Cake targets, store entries and pipeline.lock sections.</summary>
public static class StageIds
{
    public const string Download = "download";
    public const string Weights = "weights";
    public const string Preprocess = "preprocess";
    public const string Report = "report";
    public const string TrainKind = "train";
    public const string EvaluateKind = "evaluate";
    public const string ChooseKind = "choose";

    /// <summary>Every stage kind, in pipeline order (cluster: takes a resource block per kind).</summary>
    public static readonly IReadOnlyList<string> Kinds = [Download, Weights, Preprocess, TrainKind, EvaluateKind, ChooseKind, Report];

    public static string Train(string experiment) => StageName.Of(TrainKind, experiment);
    public static string Evaluate(string experiment) => StageName.Of(EvaluateKind, experiment);
    public static string Choose(string matrix) => StageName.Of(ChooseKind, matrix);

    /// <summary>The evaluation of an experiment's seeds as one model (<c>ensemble: true</c>): an evaluation, so it is of that kind.</summary>
    public static string Ensemble(string experiment) => StageName.Of(EvaluateKind, experiment + "-ensemble");
}
