namespace PetSeg.Pipeline.Store;

/// <summary>One output as recorded: digest, size, and where it lives (relative = inside the entry, absolute = external).</summary>
public sealed record StoredFile(string Digest, long Size, string Location);

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
    /// <summary>Set when read from the store: the entry's folder, against which relative locations resolve.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Folder { get; init; } = "";

    public string OutputPath(string name) =>
        Outputs.TryGetValue(name, out var f)
            ? Path.IsPathRooted(f.Location) ? f.Location : Path.Combine(Folder, f.Location)
            : throw new KeyNotFoundException($"stage {Stage} has no output '{name}'");
}
