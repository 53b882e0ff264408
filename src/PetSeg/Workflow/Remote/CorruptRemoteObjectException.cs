using PetSeg.Core;

namespace PetSeg.Workflow.Remote;

/// <summary>A remote object whose bytes are not what its name (a SHA-256) says, or that is missing: never used.</summary>
public sealed class CorruptRemoteObjectException(string message) : PetSegException(message);
