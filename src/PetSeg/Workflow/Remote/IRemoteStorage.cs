namespace PetSeg.Workflow.Remote;

/// <summary>
/// What every remote store offers — a folder, an S3 bucket, an HTTP cache — so the run-cache protocol
/// (<see cref="RemoteCache"/>) is written once. Keys are '/'-separated paths under the remote's root. A put becomes
/// visible whole or not at all; a get streams into a local file the caller verifies.
/// </summary>
public interface IRemoteStorage : IDisposable
{
    /// <summary>Where it is, for messages (no credentials).</summary>
    string Description { get; }

    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>Uploads <paramref name="localFile"/> under <paramref name="key"/>, reporting bytes sent.</summary>
    Task PutAsync(string key, string localFile, Action<long> progress, CancellationToken ct);

    /// <summary>Downloads <paramref name="key"/> into <paramref name="localFile"/> (resuming a partial one where the backend can); false when it does not exist.</summary>
    Task<bool> GetAsync(string key, string localFile, Action<long> progress, CancellationToken ct);

    /// <summary>Every key under <paramref name="prefix"/>.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct);
}
