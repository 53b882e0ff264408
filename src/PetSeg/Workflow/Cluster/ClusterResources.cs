namespace PetSeg.Workflow.Cluster;

/// <summary>Slurm resources of a job; null fields fall back to the less specific level (kind, then defaults).</summary>
public sealed record ClusterResources(int? CpusPerTask = null, string? Mem = null, string? Time = null, string? Gres = null)
{
    public ClusterResources Over(ClusterResources fallback) =>
        new(CpusPerTask ?? fallback.CpusPerTask, Mem ?? fallback.Mem, Time ?? fallback.Time, Gres ?? fallback.Gres);

    public override string ToString() =>
        string.Join(", ", new[] { CpusPerTask is { } c ? $"{c} cpu" : null, Mem is { } m ? $"mem {m}" : null, Time is { } t ? $"time {t}" : null, Gres is { } g ? $"gres {g}" : null }
            .Where(x => x is not null));
}
