namespace PetSeg.Reporting;

/// <summary>A report table: a title and rows (label as printed, experiment id), in the lab's order.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<ReportRow> Rows);
