using System.Text.RegularExpressions;
using PetSeg.Workflow.Cluster;

namespace PetSeg.Lab.Config;

/// <summary>Binds <c>cluster:</c> (and an experiment's <c>cluster:</c> override): one resource block per stage kind the lab declares.</summary>
internal static class ClusterSection
{
    public static ClusterResources BindResources(YamlSection s)
    {
        var r = new ClusterResources(s.OptionalInt("cpus_per_task", 1, 4096), s.String("mem"), s.String("time"), s.String("gres"));
        if (r.Mem is { } mem && !Regex.IsMatch(mem, "^[0-9]+[KMGT]?$")) throw s.Error("mem", $"'{mem}' is not a Slurm memory size such as 32G or 4000M");
        if (r.Time is { } time && !Regex.IsMatch(time, @"^([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}$")) throw s.Error("time", $"'{time}' is not a Slurm time such as 04:00:00 or 1-00:00:00");
        return r;
    }

    public static ClusterConfig Bind(YamlSection s, IReadOnlyList<string> stageKinds)
    {
        var engine = s.Choice("engine", "none", [.. ClusterConfig.Engines]);
        var byKind = new Dictionary<string, ClusterResources>(StringComparer.Ordinal);
        foreach (var kind in stageKinds) byKind[kind] = BindResources(s.Section(kind));
        var config = new ClusterConfig(engine, s.String("partition"), s.String("account"), BindResources(s.Section("defaults")),
            byKind, s.StringList("setup"), s.StringList("extra_args")) { Requeue = s.Bool("requeue", false) };
        s.RejectUnknown();
        return config;
    }
}
