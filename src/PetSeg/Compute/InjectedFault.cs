namespace PetSeg.Compute;

/// <summary>
/// A deliberately wrong kernel, so the self-check, <c>petseg doctor</c>, <c>auto</c> and <c>strict</c> can be tested on a
/// healthy machine: the input gradient of a convolution computed through <see cref="Convolution"/> comes back ×1.5
/// (the forward result is untouched, as with the real oneDNN fault). Set by <c>PETSEG_NUMERICS_FAULT</c> or in-process.
/// </summary>
public enum InjectedFault
{
    None,
    /// <summary>Like the fault measured on AMD Zen 5: convolutions computed with fewer than 16 output channels while oneDNN is on.</summary>
    NarrowConvolutions,
    /// <summary>Every convolution while oneDNN is on (only switching oneDNN off helps).</summary>
    OneDnn,
    /// <summary>Every convolution on every path (nothing helps: auto must stop).</summary>
    Everywhere,
}
