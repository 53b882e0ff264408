namespace PetSeg.Data.Cache;

public sealed record PreprocessResult(string Path, int Count, string Digest, IReadOnlyList<string> Skipped);
