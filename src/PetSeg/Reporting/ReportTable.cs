using System.Text.Json.Serialization;

namespace PetSeg.Reporting;

/// <summary>A report table: a title and rows (label as printed, experiment id), in the lab's order.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<ReportRow> Rows)
{
    /// <summary>
    /// One row per combination of a <c>matrix:</c>, which the report picks a winner of. Not serialised into the report's
    /// key: it follows from the experiments, which the key already holds.
    /// </summary>
    [JsonIgnore]
    public bool Matrix { get; init; }

    /// <summary>A matrix's refit (<c>refit: true</c>): the experiment that trained the chosen row on all of trainval, or null. Not serialised, likewise.</summary>
    [JsonIgnore]
    public string? Refit { get; init; }
}
