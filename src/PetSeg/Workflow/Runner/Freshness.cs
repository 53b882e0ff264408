namespace PetSeg.Workflow.Runner;

public enum Freshness { Fresh, Stale }
