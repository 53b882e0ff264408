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

    /// <summary>What computed the result (cpu, kernels, numerics), for stages that compute with torch.</summary>
    public SortedDictionary<string, string>? Compute { get; set; }
}
