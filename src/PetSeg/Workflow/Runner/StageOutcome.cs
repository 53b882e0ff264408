namespace PetSeg.Workflow.Runner;

/// <summary>What a run did with one stage.</summary>
public enum StageOutcome { CacheHit, Executed, Pulled }
