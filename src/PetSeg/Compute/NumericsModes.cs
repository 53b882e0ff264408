namespace PetSeg.Compute;

/// <summary>The names of <see cref="NumericsMode"/> as pipeline.yaml and <c>--numerics</c> spell them.</summary>
public static class NumericsModes
{
    public static readonly IReadOnlyList<string> Names = ["auto", "strict", "off"];

    public static string Name(this NumericsMode mode) => Names[(int)mode];

    public static bool TryParse(string? text, out NumericsMode mode)
    {
        int i = Names.ToList().IndexOf(text?.Trim().ToLowerInvariant() ?? "");
        mode = i < 0 ? NumericsMode.Auto : (NumericsMode)i;
        return i >= 0;
    }

    /// <summary>Why <paramref name="text"/> given to <paramref name="option"/> is not a mode, or null when it is one: the one wording every command uses.</summary>
    public static string? Invalid(string option, string? text) =>
        TryParse(text, out _) ? null : $"{option} must be one of {string.Join(", ", Names)}, not '{text}'";
}
