namespace PetSeg.Data.Download;

public sealed record DownloadOptions
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>A stalled connection (no bytes for this long) counts as a failed attempt and is resumed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Folders looked in, by file name, before the network: a copy there that matches the file's pinned MD5 or SHA-256
    /// is taken as it is (the archives torchvision already fetched, a cluster's shared datasets, PyTorch's hub cache).
    /// </summary>
    public IReadOnlyList<string> LocalFolders { get; init; } = [];

    /// <summary>
    /// The netrc file whose <c>machine</c> entries log in to a mirror that wants it (a lab's own copy of the archives):
    /// null for <c>$NETRC</c>, else <c>~/.netrc</c>. Its <c>default</c> entry is never sent to public servers.
    /// </summary>
    public string? Netrc { get; init; }
}
