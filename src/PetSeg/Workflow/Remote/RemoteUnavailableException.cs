namespace PetSeg.Workflow.Remote;

/// <summary>A remote that cannot be reached or refuses us (network, credentials, missing bucket).</summary>
public sealed class RemoteUnavailableException(string message, Exception? inner = null) : PetSeg.Core.PetSegException(message, inner);
