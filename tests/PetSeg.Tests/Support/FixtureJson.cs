using System.Text.Json;

namespace PetSeg.Tests.Support;

/// <summary>Numbers as ../shared/fixtures writes them: JSON numbers, or the strings "NaN", "Infinity", "-Infinity".</summary>
public static class FixtureJson
{
    public static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException($"fixture value '{s}' is neither a number nor NaN/Infinity"),
        },
        _ => throw new FormatException($"fixture value of kind {e.ValueKind} is not a number"),
    };

    /// <summary>Equal within <paramref name="tolerance"/>, where NaN equals only NaN (torchmetrics' "no valid pixel").</summary>
    public static void AssertClose(double expected, double actual, double tolerance, string what)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
            Assert.True(double.IsNaN(expected) && double.IsNaN(actual), $"{what}: expected {expected}, got {actual}");
        else
            Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:G9}, got {actual:G9} (tolerance {tolerance:E0})");
    }
}
