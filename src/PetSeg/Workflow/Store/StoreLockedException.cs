namespace PetSeg.Workflow.Store;

/// <summary>Another process holds a lock this command needs.</summary>
public sealed class StoreLockedException(string message) : PetSeg.Core.PetSegException(message);
