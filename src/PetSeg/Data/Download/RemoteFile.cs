namespace PetSeg.Data.Download;

/// <summary>A file to fetch: mirrors are tried in order, the checksum decides whether what arrived is valid.</summary>
public sealed record RemoteFile(string FileName, IReadOnlyList<Uri> Urls, Checksum Checksum);

public sealed record DownloadOptions
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A stalled connection (no bytes for this long) counts as a failed attempt and is resumed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

public sealed record DownloadProgress(string FileName, long Received, long? Total, double BytesPerSecond);

public enum DownloadOutcome { AlreadyPresent, Downloaded }

/// <param name="BytesTransferred">Bytes received over the network by this call (a resumed file counts only the rest).</param>
/// <param name="ResumedFrom">Size of the partial file the first request started from.</param>
public sealed record DownloadResult(string Path, DownloadOutcome Outcome, long BytesTransferred, long ResumedFrom, int Attempts);

public sealed class DownloadException(string message, Exception? inner = null) : PetSeg.Core.PetSegException(message, inner);
