namespace PetSeg.Training.Checkpoints;

/// <summary>Thrown when a checkpoint does not belong to the model or run it is loaded into.</summary>
public sealed class CheckpointMismatchException(string message) : PetSeg.Core.PetSegException(message);
