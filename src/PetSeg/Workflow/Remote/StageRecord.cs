using PetSeg.Workflow.Store;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// A stage result on a remote (<c>stages/&lt;key&gt;.json</c>, uploaded after every object it names, so a record
/// that is visible is complete): the store entry as recorded locally (portable: no absolute path) and, per output,
/// the content-addressed objects that make it up (one for a file; one per file, by relative path, for a folder).
/// </summary>
public sealed record StageRecord(string Format, StoreEntry Entry, SortedDictionary<string, IReadOnlyList<RemoteObject>> Objects)
{
    public const string CurrentFormat = "petseg-remote-1";

    public static string KeyOf(string stageKey) => $"stages/{stageKey[(stageKey.IndexOf(':') + 1)..]}.json";

    public static string ObjectKey(string sha256) => $"cas/{sha256[..2]}/{sha256}";
}
