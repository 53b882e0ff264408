namespace PetSeg.Workflow.Cluster;

/// <summary>A job's state as <c>--wait</c> shows it.</summary>
public sealed record JobState(SubmittedJob Job, string State, string Elapsed)
{
    public bool Finished => State is not ("PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "REQUEUED" or "RESIZING" or "SUSPENDED");
    public bool Succeeded => State == "COMPLETED";
}
