namespace PetSeg.Compute;

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
}
