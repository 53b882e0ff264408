namespace PetSeg.Workflow.Cluster;

/// <summary>One stage's job in a submission.</summary>
/// <param name="Reused">The stage was already queued or running from an earlier submission: its job is reused, not resubmitted.</param>
public sealed record SubmittedJob(string Stage, string JobId, string Script, string Log, string Resources, IReadOnlyList<string> DependsOn, bool Reused);
