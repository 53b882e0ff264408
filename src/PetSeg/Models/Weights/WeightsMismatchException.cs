namespace PetSeg.Models.Weights;

/// <summary>Missing keys, unexpected keys and shape mismatches, all listed in one message.</summary>
public sealed class WeightsMismatchException(string message) : PetSeg.Core.PetSegException(message);
