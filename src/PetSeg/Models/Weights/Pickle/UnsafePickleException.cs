namespace PetSeg.Models.Weights.Pickle;

/// <summary>A pickle refers to a global that is not on the allow-list (code could have run in Python).</summary>
public sealed class UnsafePickleException(string message) : PetSeg.Core.PetSegException(message);
