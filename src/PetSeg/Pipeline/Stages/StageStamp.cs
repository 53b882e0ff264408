using System.Text.Json;
using PetSeg.IO;

namespace PetSeg.Pipeline.Stages;

/// <summary>
/// A small JSON file written (atomically) after a stage's outputs are complete, recording the key they were built
/// for. A matching stamp means the outputs are current; a missing or different one means the stage reruns.
/// </summary>
public sealed record StageStamp(string Stage, string Key, SortedDictionary<string, string> Outputs)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static StageStamp? TryRead(string path)
    {
        try { return File.Exists(path) ? JsonSerializer.Deserialize<StageStamp>(File.ReadAllText(path)) : null; }
        catch (JsonException) { return null; } // a damaged stamp only means "rebuild"
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
}
