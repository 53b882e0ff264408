namespace PetSeg.Workflow.Store;

/// <summary>One stage as recorded in pipeline.lock.</summary>
public sealed class LockedStage
{
    public string Key { get; set; } = "";
    public string Code { get; set; } = "";
    public SortedDictionary<string, string> Params { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Inputs { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, string> Outputs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The stage's summary (an evaluation's headline metrics, round-trip decimal strings), so `metrics diff REV` needs only git.</summary>
    public SortedDictionary<string, string>? Metrics { get; set; }

    /// <summary>
    /// Parameters its inputs decided rather than pipeline.yaml (a refit's chosen settings, <see cref="Stages.Stage.Resolved"/>):
    /// <c>exp show</c> and <c>params diff</c> read them as parameters. Not part of the key, which holds those inputs already.
    /// </summary>
    public SortedDictionary<string, string>? Resolved { get; set; }

    /// <summary>The parameters as comparisons show them: the declared ones, with what the inputs decided over them.</summary>
    public SortedDictionary<string, string> ShownParams()
    {
        var all = new SortedDictionary<string, string>(Params, StringComparer.Ordinal);
        foreach (var (k, v) in Resolved ?? []) all[k] = v;
        return all;
    }

    /// <summary>What computed the result (cpu, kernels, numerics), for stages that compute with torch.</summary>
    public SortedDictionary<string, string>? Compute { get; set; }
}
