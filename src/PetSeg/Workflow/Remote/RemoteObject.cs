namespace PetSeg.Workflow.Remote;

/// <summary>One file of a remote object set: where it goes and the SHA-256 it must have.</summary>
public sealed record RemoteObject(string Path, string Sha256, long Size);
