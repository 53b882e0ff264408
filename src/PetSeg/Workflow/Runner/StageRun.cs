namespace PetSeg.Workflow.Runner;

public sealed record StageRun(string Stage, string Key, StageOutcome Outcome, TimeSpan Duration);
