namespace PetSeg.Workflow.Cluster;

/// <summary>One job as squeue reports it.</summary>
public sealed record SlurmJob(string Id, string Name, string State, string Start, string End, string Elapsed)
{
    public bool IsActive => State is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "REQUEUED" or "RESIZING" or "SUSPENDED";
    public bool Succeeded => State == "COMPLETED";
}
