namespace PetSeg.Reporting;

/// <summary>One comparison of the differences table: experiment <paramref name="A"/> minus experiment <paramref name="B"/>.</summary>
public sealed record ReportComparison(string Label, string A, string B);
