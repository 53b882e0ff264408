using PetSeg.Core;

namespace PetSeg.Workflow.Remote;

/// <summary>Remote backends by URL scheme: a new backend is one <see cref="IRemoteStorage"/> file and one line here.</summary>
public static class RemoteRegistry
{
    private static readonly Dictionary<string, Func<RemoteConfig, Uri, IRemoteStorage>> Backends = new(StringComparer.Ordinal)
    {
        ["file"] = (_, u) => new FolderRemote(u.LocalPath),
        ["s3"] = (r, u) => new S3Remote(u.Host, Uri.UnescapeDataString(u.AbsolutePath), r.Endpoint, r.Region,
            S3Credentials.Find(r.Name, r.Profile, Environment.GetEnvironmentVariable), r.Name),
        ["http"] = OpenHttp,
        ["https"] = OpenHttp,
    };

    private static HttpRemote OpenHttp(RemoteConfig r, Uri u) =>
        new(u, HttpCredentials.Find(r.Name, u, Environment.GetEnvironmentVariable), r.Name);

    public static IReadOnlyCollection<string> Schemes => Backends.Keys;

    public static IRemoteStorage Open(RemoteConfig remote)
    {
        var uri = new Uri(remote.Url);
        return Backends.TryGetValue(uri.Scheme, out var open) ? open(remote, uri)
            : throw new ConfigException($"remote '{remote.Name}': no backend for '{uri.Scheme}://' (known: {string.Join(", ", Schemes)})");
    }
}
