using PetSeg.Core;

namespace PetSeg.Compute;

/// <summary>The backend failed its numerics self-check and no allowed path passes: nothing is computed with it.</summary>
public sealed class NumericsException(string message) : PetSegException(message);
