namespace PetSeg.Workflow.Remote;

/// <summary>What one push did.</summary>
public sealed record PushResult(string Stage, bool AlreadyThere, int ObjectsSent, long BytesSent);
