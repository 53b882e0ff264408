namespace PetSeg.Workflow.Store;

/// <summary>
/// The record of one published stage result (<c>entry.json</c> in the entry's folder): what ran, with what, what it
/// produced. A remote store can mirror <c>objects/</c> by key: entries are immutable and self-describing.
/// </summary>
public sealed record StoreEntry(
    string Stage,
    string Kind,
    string Key,
    string CodeVersion,
    SortedDictionary<string, string> Parameters,
    SortedDictionary<string, string> Inputs,
    SortedDictionary<string, StoredFile> Outputs,
    DateTimeOffset Created,
    double DurationSeconds)
{
    /// <summary>What computed the result (stages that compute with torch): CPU, kernel path, numerics self-check verdict. Not part of the key.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PetSeg.Compute.ComputeRecord? Compute { get; init; }

    /// <summary>Set when read from the store: the entry's folder, against which relative locations resolve.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Folder { get; init; } = "";

    /// <summary>Set when read from the store: the artifacts folder, against which <c>$artifacts/…</c> locations resolve.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ArtifactsDir { get; init; } = "";

    public string OutputPath(string name) =>
        Outputs.TryGetValue(name, out var f) ? Resolve(f.Location)
            : throw new KeyNotFoundException($"stage {Stage} has no output '{name}'");

    private string Resolve(string location) =>
        location.StartsWith(StoredFile.ArtifactsPrefix, StringComparison.Ordinal)
            ? Path.Combine(ArtifactsDir, location[StoredFile.ArtifactsPrefix.Length..].Replace('/', Path.DirectorySeparatorChar))
            : Path.IsPathRooted(location) ? location // written before locations were portable
            : Path.Combine(Folder, location);
}
