using PetSeg.Models;
using PetSeg.Pipeline.Config;
using PetSeg.Pipeline.Stages;

namespace PetSeg.Pipeline.Graph;

/// <summary>
/// The stage DAG, declared once from pipeline.yaml: download → preprocess (+ weights) → train-&lt;exp&gt; →
/// evaluate-&lt;exp&gt; → report. Cake, the CLI and the tests all get the same graph from here.
/// </summary>
public sealed class PipelineGraph
{
    private readonly Dictionary<string, Stage> _byId;

    public IReadOnlyList<Stage> Stages { get; }

    private PipelineGraph(List<Stage> stages)
    {
        Stages = stages;
        _byId = stages.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public static PipelineGraph Build(PipelineConfig config)
    {
        var stages = new List<Stage> { new DownloadStage(config) };
        var encoders = config.Experiments.Where(e => e.Pretrained)
            .Select(e => ModelZoo.EncoderName(e.Settings.Model.Architecture)!).Distinct().Order(StringComparer.Ordinal).ToList();
        if (encoders.Count > 0) stages.Add(new WeightsStage(config, encoders));
        stages.Add(new PreprocessStage(config));
        stages.AddRange(config.Experiments.Select(e => new TrainStage(config, e)));
        stages.AddRange(config.Experiments.Select(e => new EvaluateStage(config, e)));
        if (config.Experiments.Count > 0) stages.Add(new ReportStage(config));
        return new PipelineGraph(stages);
    }

    /// <summary>Group targets (Cake's Train, Evaluate) map to their members; stage ids map to themselves.</summary>
    public static readonly IReadOnlyList<string> Groups = [StageIds.TrainKind, StageIds.EvaluateKind];

    public Stage this[string id] => _byId.TryGetValue(id, out var s) ? s
        : throw new PipelineException($"no stage '{id}'. Stages: {string.Join(", ", Stages.Select(x => x.Id))}");

    /// <summary>The stages a target names: itself, or every member of a group (train, evaluate).</summary>
    public IReadOnlyList<Stage> Members(string target) =>
        Groups.Contains(target) ? Stages.Where(s => s.Kind == target).ToList() : [this[target]];

    /// <summary>The stages a target needs, dependencies first (a group target expands to all its member stages).</summary>
    public IReadOnlyList<Stage> Closure(string target)
    {
        var roots = Members(target);
        var order = new List<Stage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Visit(Stage s)
        {
            if (!seen.Add(s.Id)) return;
            foreach (var d in s.DependsOn) Visit(this[d]);
            order.Add(s);
        }
        foreach (var r in roots) Visit(r);
        return order;
    }
}
