namespace PetSeg.Reporting;

public sealed record ReportRow(string Label, string Experiment);
