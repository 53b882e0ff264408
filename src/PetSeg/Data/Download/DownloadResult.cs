namespace PetSeg.Data.Download;

/// <param name="BytesTransferred">Bytes received over the network by this call (a resumed file counts only the rest).</param>
/// <param name="ResumedFrom">Size of the partial file the first request started from.</param>
public sealed record DownloadResult(string Path, DownloadOutcome Outcome, long BytesTransferred, long ResumedFrom, int Attempts)
{
    /// <summary>The local copy it was taken from (<see cref="DownloadOutcome.CopiedLocally"/>).</summary>
    public string? CopiedFrom { get; init; }

    /// <summary>Local copies that were looked at and not taken, each with why (a different file, nothing to verify it by).</summary>
    public IReadOnlyList<string> Passed { get; init; } = [];
}
