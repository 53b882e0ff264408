namespace PetSeg.Workflow.Cluster;

/// <summary>
/// Where and how stale stages run as Slurm jobs. Resources resolve per stage as the stage's own (an experiment's
/// override) → its kind's (<c>train:</c>, <c>evaluate:</c>, …) → <c>defaults:</c>.
/// </summary>
/// <param name="Setup">Shell lines each job runs first (module loads, a container wrapper's environment).</param>
/// <param name="ExtraArgs">Further sbatch options, verbatim (e.g. <c>--qos=normal</c>).</param>
public sealed record ClusterConfig(string Engine, string? Partition, string? Account, ClusterResources Defaults,
    IReadOnlyDictionary<string, ClusterResources> ByKind, IReadOnlyList<string> Setup, IReadOnlyList<string> ExtraArgs)
{
    public static readonly ClusterConfig None = new("none", null, null, new ClusterResources(), new Dictionary<string, ClusterResources>(), [], []);

    /// <summary>The engines a workspace can submit to ("none": run locally only).</summary>
    public static readonly IReadOnlyList<string> Engines = ["none", "slurm"];

    /// <summary>
    /// Jobs outlive the time limit: shortly before it, Slurm signals the job, petseg stops at the end of its step (a
    /// training keeps its last complete epoch's checkpoint) and the job requeues itself, to resume where it stopped.
    /// </summary>
    public bool Requeue { get; init; }

    /// <summary>Resources of single stages (an experiment's <c>cluster:</c>), over their kind's.</summary>
    public IReadOnlyDictionary<string, ClusterResources> ByStage { get; init; } = new Dictionary<string, ClusterResources>();

    public ClusterResources For(string kind, ClusterResources? own) =>
        (own ?? new ClusterResources()).Over(ByKind.TryGetValue(kind, out var k) ? k.Over(Defaults) : Defaults);
}
