using PetSeg.Core;
using PetSeg.Workflow.Stages;

namespace PetSeg.Workflow.Graph;

/// <summary>
/// A DAG of stages, in the order they were declared (dependencies first). Targets are stage ids or groups (every stage
/// whose <see cref="Stage.Group"/> names it); Cake, the CLI and the cluster get the same graph from here.
/// </summary>
public sealed class StageGraph
{
    private readonly Dictionary<string, Stage> _byId;

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>The group targets, in declaration order.</summary>
    public IReadOnlyList<string> Groups { get; }

    public StageGraph(IReadOnlyList<Stage> stages)
    {
        _byId = new Dictionary<string, Stage>(StringComparer.Ordinal);
        foreach (var s in stages)
        {
            if (!_byId.TryAdd(s.Id, s)) throw new ArgumentException($"two stages named '{s.Id}'");
            foreach (var d in s.DependsOn)
                if (!_byId.ContainsKey(d)) throw new ArgumentException($"stage '{s.Id}' depends on '{d}', which is not declared before it");
        }
        Stages = stages;
        Groups = stages.Select(s => s.Group).OfType<string>().Distinct().ToList();
        var clash = Groups.FirstOrDefault(_byId.ContainsKey);
        if (clash is not null) throw new ArgumentException($"'{clash}' names both a stage and a group");
    }

    public Stage this[string id] => _byId.TryGetValue(id, out var s) ? s
        : throw new PipelineException($"no stage '{id}'{ClosestName.Suggestion(id, Stages.Select(x => x.Id).Concat(Groups))}. " +
                                      $"Stages: {string.Join(", ", Stages.Select(x => x.Id))}{(Groups.Count == 0 ? "" : $"; groups: {string.Join(", ", Groups)}")}");

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>The stages a target names: itself, or every member of a group.</summary>
    public IReadOnlyList<Stage> Members(string target) =>
        Groups.Contains(target) ? Stages.Where(s => s.Group == target).ToList() : [this[target]];

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
