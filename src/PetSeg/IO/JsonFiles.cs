using System.Text.Json;
using System.Text.Json.Serialization;

namespace PetSeg.IO;

/// <summary>
/// The one rule every JSON file of ours follows: a non-finite number (NaN mean IoU with every pixel ignored, a loss that
/// diverged) is written as the strings "NaN", "Infinity", "-Infinity" and read back, never a crash in a writer.
/// </summary>
public static class JsonFiles
{
    public static JsonSerializerOptions Options(bool indented = false, JsonNamingPolicy? naming = null) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = naming,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary><see cref="JsonSerializerOptions.Web"/> (camelCase, case-insensitive) under the same rule.</summary>
    public static JsonSerializerOptions Web() => new(JsonSerializerOptions.Web) { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
