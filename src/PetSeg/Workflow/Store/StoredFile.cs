namespace PetSeg.Workflow.Store;

/// <summary>
/// One output as recorded: digest, size, and where it lives: relative to the entry's folder, or, for the data stages'
/// in-place outputs, <c>$artifacts/…</c> relative to the artifacts folder. No absolute path is recorded, so an entry
/// pulled on another machine, into another folder, resolves there.
/// </summary>
public sealed record StoredFile(string Digest, long Size, string Location)
{
    public const string ArtifactsPrefix = "$artifacts/";

    public bool IsExternal => Location.StartsWith(ArtifactsPrefix, StringComparison.Ordinal) || Path.IsPathRooted(Location);
}
