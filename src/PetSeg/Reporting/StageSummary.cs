namespace PetSeg.Reporting;

/// <summary>One stage as listed in the report's metadata.</summary>
public sealed record StageSummary(string Stage, string Key, double Seconds);
