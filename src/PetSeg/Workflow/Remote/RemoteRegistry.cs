using PetSeg.Core;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// Remote backends by URL scheme: a new backend is one <see cref="IRemoteStorage"/> file and one line here (how it
/// opens, and how a user gives it credentials, for messages).
/// </summary>
public static class RemoteRegistry
{
    private sealed record Backend(Func<RemoteConfig, Uri, IRemoteStorage> Open, Func<string, Uri, string> CredentialsHint);

    private static readonly Dictionary<string, Backend> Backends = new(StringComparer.Ordinal)
    {
        ["file"] = new((_, u) => new FolderRemote(u.LocalPath), (_, _) => "the folder's permissions"),
        ["s3"] = new((r, u) => new S3Remote(u.Host, Uri.UnescapeDataString(u.AbsolutePath), r.Endpoint, r.Region,
            S3Credentials.Find(r.Name, r.Profile, Environment.GetEnvironmentVariable), r.Name), (name, _) => S3Credentials.Hint(name)),
        ["http"] = new(OpenHttp, HttpHint),
        ["https"] = new(OpenHttp, HttpHint),
    };

    private static HttpRemote OpenHttp(RemoteConfig r, Uri u) =>
        new(u, HttpCredentials.Find(r.Name, u, Environment.GetEnvironmentVariable), r.Name);

    private static string HttpHint(string name, Uri u) => HttpCredentials.Hint(name, u.Host);

    public static IReadOnlyCollection<string> Schemes => Backends.Keys;

    public static IRemoteStorage Open(RemoteConfig remote)
    {
        var uri = new Uri(remote.Url);
        return Backends.TryGetValue(uri.Scheme, out var backend) ? backend.Open(remote, uri)
            : throw new ConfigException($"remote '{remote.Name}': no backend for '{uri.Scheme}://' (known: {string.Join(", ", Schemes)})");
    }

    /// <summary>How to give remote <paramref name="name"/> at <paramref name="url"/> its credentials, for messages.</summary>
    public static string CredentialsHint(string name, string url)
    {
        var uri = new Uri(url);
        return Backends.TryGetValue(uri.Scheme, out var backend) ? backend.CredentialsHint(name, uri) : "";
    }
}
