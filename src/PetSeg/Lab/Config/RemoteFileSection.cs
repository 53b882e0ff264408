using PetSeg.Data.Download;

namespace PetSeg.Lab.Config;

/// <summary>Binds a downloadable file's section (<c>urls</c>, <c>md5</c>, <c>sha256</c>, <c>size</c>), falling back to the defaults when no URL is given.</summary>
internal static class RemoteFileSection
{
    public static RemoteFile Bind(YamlSection s, string fileName, RemoteFile defaults)
    {
        var urls = s.StringList("urls");
        var parsed = new List<Uri>();
        foreach (var u in urls.Count > 0 ? urls : defaults.Urls.Select(x => x.ToString()).ToList())
        {
            if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw s.Error("urls", $"'{u}' is not an http(s) URL");
            parsed.Add(uri);
        }
        var md5 = s.String("md5", urls.Count > 0 ? null : defaults.Checksum.Md5);
        var sha = s.String("sha256", urls.Count > 0 ? null : defaults.Checksum.Sha256);
        var size = s.Long("size") ?? (urls.Count > 0 ? null : defaults.Checksum.Size);
        s.RejectUnknown();
        return new RemoteFile(fileName, parsed, new Checksum(md5, sha, size, urls.Count > 0 ? null : defaults.Checksum.Sha256Prefix));
    }
}
