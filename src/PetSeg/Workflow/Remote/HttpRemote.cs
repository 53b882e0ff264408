using System.Net;
using System.Net.Http.Headers;
using PetSeg.IO;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// An HTTP cache as Bazel and Gradle use one (<c>https://cache.example.org/petseg</c>): PUT to store, GET (with
/// Range to resume) to fetch, HEAD to ask. Works with nginx's WebDAV module, bazel-remote and the like. Such servers
/// do not list, and do not check content: every download is verified by its digest on our side. Credentials
/// (<see cref="HttpCredentials"/>) go with every request to the remote, and not where it redirects.
/// </summary>
public sealed class HttpRemote : IRemoteStorage
{
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly HttpCredentials? _credentials;
    private readonly string _name;

    /// <param name="name">The remote's name in pipeline.yaml, for the hint on how to give it credentials.</param>
    public HttpRemote(Uri baseUri, HttpCredentials? credentials = null, string name = "NAME", HttpClient? http = null)
    {
        _base = new Uri(new UriBuilder(baseUri) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/') + "/");
        _credentials = credentials;
        _name = name;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
    }

    public string Description => _base.ToString();

    private Uri UriOf(string key) => new(_base, key);

    private async Task<HttpResponseMessage> Send(HttpRequestMessage request, CancellationToken ct)
    {
        // Every request is under _base; on a redirect HttpClient drops the header itself (tested), so it reaches no other host.
        if (_credentials is not null) request.Headers.Authorization = _credentials.Header;
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var forbidden = response.StatusCode == HttpStatusCode.Forbidden;
                var status = $"{Description}: {request.Method} answered {(int)response.StatusCode} {response.ReasonPhrase}";
                response.Dispose();
                throw new RemoteUnavailableException(_credentials is { } c
                    ? $"{status}: the server refused the credentials from {c.Source}{(forbidden ? " (or they do not allow this)" : "")}"
                    : $"{status}: the server wants credentials and none were found; {HttpCredentials.Hint(_name, _base.Host)}");
            }
            if ((int)response.StatusCode >= 500)
                throw new RemoteUnavailableException($"{Description}: {(int)response.StatusCode} {response.ReasonPhrase} for {request.Method} {request.RequestUri}");
            return response;
        }
        catch (HttpRequestException e)
        {
            throw new RemoteUnavailableException($"{Description}: cannot connect ({e.Message})", e);
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        using var response = await Send(new HttpRequestMessage(HttpMethod.Head, UriOf(key)), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        response.EnsureSuccessStatusCode();
        return true;
    }

    public async Task PutAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        await using var file = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        using var content = new StreamContent(new ProgressStream(file, progress), 1 << 20);
        content.Headers.ContentLength = file.Length;
        using var request = new HttpRequestMessage(HttpMethod.Put, UriOf(key)) { Content = content };
        using var response = await Send(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new RemoteUnavailableException($"{Description}: PUT {key} answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    public async Task<bool> GetAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        var have = File.Exists(localFile) ? new FileInfo(localFile).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, UriOf(key));
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await Send(request, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0) return true; // already whole; the digest decides
        if (!response.IsSuccessStatusCode)
            throw new RemoteUnavailableException($"{Description}: GET {key} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        var append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (append) progress(have);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var dst = new FileStream(localFile, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        await StreamCopy.WithProgress(body, dst, progress, ct).ConfigureAwait(false);
        return true;
    }

    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct) =>
        throw new NotSupportedException($"{Description}: an HTTP cache cannot list its content; use a folder or S3 remote to list");

    public void Dispose() => _http.Dispose();

    /// <summary>Reports bytes as the HTTP stack reads the upload.</summary>
    private sealed class ProgressStream(Stream inner, Action<long> progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { var n = inner.Read(buffer, offset, count); progress(n); return n; }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
            progress(n);
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
