namespace PetSeg.Compute;

/// <summary>
/// What the numerics self-check may do (<c>compute: { numerics: … }</c>, <c>--numerics</c>): <c>auto</c> checks the
/// kernels and falls back to a path that passes, <c>strict</c> checks and refuses to compute on a failing backend,
/// <c>off</c> trusts the kernels (no check, the results record "unchecked").
/// </summary>
public enum NumericsMode { Auto, Strict, Off }
