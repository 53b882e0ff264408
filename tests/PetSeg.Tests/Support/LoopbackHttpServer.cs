using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PetSeg.Tests.Support;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (raw sockets, so faults are exact): serves byte arrays by path with Range
/// support, and can fail requests, cut a response after N bytes, or redirect. Counts the body bytes it sends.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, string> _redirects = new();
    private readonly Task _loop;

    public long BodyBytesSent;
    public int Requests;
    public readonly ConcurrentQueue<string> RangeHeaders = new();
    /// <summary>Each request's Authorization header ("" when it had none).</summary>
    public readonly ConcurrentQueue<string> AuthorizationHeaders = new();
    /// <summary>Answer this many upcoming requests with the given status.</summary>
    public int FailNextRequests;
    public int FailStatus = 500;
    /// <summary>Cut the connection after this many body bytes in the next response (then reset to null).</summary>
    public long? CutNextResponseAfter;
    public bool IgnoreRange;
    /// <summary>Send no Content-Length (the body ends when the connection closes), as some servers stream.</summary>
    public bool OmitLength;
    /// <summary>When set, a request without exactly this Authorization header is answered 401.</summary>
    public string? RequireAuthorization;

    public LoopbackHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{path.TrimStart('/')}");
    public void Serve(string path, byte[] content) => _files["/" + path.TrimStart('/')] = content;
    public void Redirect(string path, string to) => _redirects["/" + path.TrimStart('/')] = to;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch { return; }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            var headers = await ReadHeaders(stream);
            if (headers is null) return;
            Interlocked.Increment(ref Requests);
            var path = headers[0].Split(' ')[1];
            var range = headers.Skip(1).FirstOrDefault(h => h.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?.Split(':', 2)[1].Trim();
            if (range is not null) RangeHeaders.Enqueue(range);
            AuthorizationHeaders.Enqueue(headers.Skip(1).FirstOrDefault(h => h.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?.Split(':', 2)[1].Trim() ?? "");

            if (RequireAuthorization is { } required && !AuthorizationHeaders.Last().Equals(required, StringComparison.Ordinal))
            { await Write(stream, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"mirror\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return; }
            if (FailNextRequests > 0) { FailNextRequests--; await Write(stream, $"HTTP/1.1 {FailStatus} Injected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return; }
            if (_redirects.TryGetValue(path, out var to)) { await Write(stream, $"HTTP/1.1 301 Moved\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return; }
            if (!_files.TryGetValue(path, out var body)) { await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); return; }

            long start = 0;
            bool partial = false;
            if (range is not null && !IgnoreRange && range.StartsWith("bytes=") && range.EndsWith('-'))
            {
                start = long.Parse(range[6..^1]);
                if (start >= body.Length)
                {
                    await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{body.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                partial = true;
            }
            long length = body.Length - start;
            var head = partial
                ? $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{body.Length - 1}/{body.Length}\r\n"
                : "HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\n";
            await Write(stream, head + $"Content-Type: application/octet-stream\r\n{(OmitLength ? "" : $"Content-Length: {length}\r\n")}Connection: close\r\n\r\n");
            long limit = length;
            var cut = CutNextResponseAfter;
            if (cut is { } c) { CutNextResponseAfter = null; limit = Math.Min(c, length); }
            for (long off = 0; off < limit; off += 8192)
            {
                int n = (int)Math.Min(8192, limit - off);
                await stream.WriteAsync(body.AsMemory((int)(start + off), n));
                Interlocked.Add(ref BodyBytesSent, n);
            }
            await stream.FlushAsync();
            if (cut is not null || OmitLength) client.Client.Shutdown(SocketShutdown.Both); // end mid-body: the client sees a short response; or the end of a body without a length
        }
        catch (IOException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    private static async Task<List<string>?> ReadHeaders(NetworkStream stream)
    {
        var sb = new StringBuilder();
        var buf = new byte[1];
        while (!sb.ToString().EndsWith("\r\n\r\n"))
        {
            if (await stream.ReadAsync(buf) == 0) return null;
            sb.Append((char)buf[0]);
        }
        return sb.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static Task Write(NetworkStream s, string text) => s.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
