namespace PetSeg.Workflow.Comparison;

/// <summary>One changed value between two lock files: a metric or a parameter of a stage or experiment.</summary>
public sealed record DiffRow(string Subject, string Name, string? Old, string? New, string Change);
