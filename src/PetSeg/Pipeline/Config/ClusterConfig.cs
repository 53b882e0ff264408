namespace PetSeg.Pipeline.Config;

/// <summary>Slurm resources of a job; null fields fall back to the less specific level (kind, then defaults).</summary>
public sealed record ClusterResources(int? CpusPerTask = null, string? Mem = null, string? Time = null, string? Gres = null)
{
    public ClusterResources Over(ClusterResources fallback) =>
        new(CpusPerTask ?? fallback.CpusPerTask, Mem ?? fallback.Mem, Time ?? fallback.Time, Gres ?? fallback.Gres);

    public override string ToString() =>
        string.Join(", ", new[] { CpusPerTask is { } c ? $"{c} cpu" : null, Mem is { } m ? $"mem {m}" : null, Time is { } t ? $"time {t}" : null, Gres is { } g ? $"gres {g}" : null }
            .Where(x => x is not null));

    internal static ClusterResources Bind(YamlSection s)
    {
        var r = new ClusterResources(s.OptionalInt("cpus_per_task", 1, 4096), s.String("mem"), s.String("time"), s.String("gres"));
        if (r.Mem is { } mem && !System.Text.RegularExpressions.Regex.IsMatch(mem, "^[0-9]+[KMGT]?$")) throw s.Error("mem", $"'{mem}' is not a Slurm memory size such as 32G or 4000M");
        if (r.Time is { } time && !System.Text.RegularExpressions.Regex.IsMatch(time, @"^([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}$")) throw s.Error("time", $"'{time}' is not a Slurm time such as 04:00:00 or 1-00:00:00");
        return r;
    }
}

/// <summary>
/// The <c>cluster:</c> section: where and how stale stages run as Slurm jobs. Resources resolve per stage as
/// experiment override → stage kind (<c>train:</c>, <c>evaluate:</c>, …) → <c>defaults:</c>.
/// </summary>
/// <param name="Setup">Shell lines each job runs first (module loads, a container wrapper's environment).</param>
/// <param name="ExtraArgs">Further sbatch options, verbatim (e.g. <c>--qos=normal</c>).</param>
public sealed record ClusterConfig(string Engine, string? Partition, string? Account, ClusterResources Defaults,
    IReadOnlyDictionary<string, ClusterResources> ByKind, IReadOnlyList<string> Setup, IReadOnlyList<string> ExtraArgs)
{
    public static readonly ClusterConfig None = new("none", null, null, new ClusterResources(), new Dictionary<string, ClusterResources>(), [], []);

    public static readonly IReadOnlyList<string> StageKinds = ["download", "weights", "preprocess", "train", "evaluate", "report"];

    public ClusterResources For(string kind, ClusterResources? experiment) =>
        (experiment ?? new ClusterResources()).Over(ByKind.TryGetValue(kind, out var k) ? k.Over(Defaults) : Defaults);

    internal static ClusterConfig Bind(YamlSection s)
    {
        var engine = s.Choice("engine", "none", "none", "slurm");
        var byKind = new Dictionary<string, ClusterResources>(StringComparer.Ordinal);
        foreach (var kind in StageKinds) byKind[kind] = ClusterResources.Bind(s.Section(kind));
        var config = new ClusterConfig(engine, s.String("partition"), s.String("account"), ClusterResources.Bind(s.Section("defaults")),
            byKind, s.StringList("setup"), s.StringList("extra_args"));
        s.RejectUnknown();
        return config;
    }
}
