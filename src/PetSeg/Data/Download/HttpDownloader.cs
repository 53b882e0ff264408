using PetSeg.IO;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace PetSeg.Data.Download;

/// <summary>
/// Downloads with HTTP Range resume, retries with exponential backoff, mirror fallback and checksum verification.
/// Bytes go to <c>&lt;file&gt;.partial</c>; only a verified file is renamed to its final name, so a later stage can
/// never take a half or corrupt download for valid.
/// </summary>
public sealed class HttpDownloader(HttpClient http, DownloadOptions? options = null, IProgress<DownloadProgress>? progress = null)
{
    private readonly DownloadOptions _options = options ?? new DownloadOptions();

    public static string PartialPath(string destination) => destination + ".partial";

    private string NetrcPath => _options.Netrc ?? NetrcFile.DefaultPath(Environment.GetEnvironmentVariable);

    public async Task<DownloadResult> DownloadAsync(RemoteFile file, string destination, CancellationToken ct = default)
    {
        if (file.Urls.Count == 0) throw new DownloadException($"{file.FileName}: no URL configured.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        if (File.Exists(destination))
        {
            // The pipeline only runs this when the download stage is stale, so re-verifying a present file is rare.
            if (file.Checksum.Verify(destination) is null)
                return new DownloadResult(destination, DownloadOutcome.AlreadyPresent, 0, 0, 0);
            File.Delete(destination); // present but wrong: fetch it again
        }

        var partial = PartialPath(destination);
        var passed = new List<string>();
        if (await CopyLocalAsync(file, destination, passed, ct).ConfigureAwait(false) is { } copied) return copied;
        long resumedFrom = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        long transferred = 0;
        var errors = new List<string>();
        var deadMirrors = new HashSet<Uri>();
        var backoff = _options.InitialBackoff;
        var restarted = false;

        for (int attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var live = file.Urls.Where(u => !deadMirrors.Contains(u)).ToList();
            if (live.Count == 0) break;
            var url = live[(attempt - 1) % live.Count];
            try
            {
                var resuming = File.Exists(partial) && new FileInfo(partial).Length > 0;
                var got = await FetchOnceAsync(file.FileName, url, partial, ct).ConfigureAwait(false);
                transferred += got;
                var problem = file.Checksum.Verify(partial);
                if (problem is not null && resuming && !restarted)
                {
                    // The bytes we resumed from were not this file's start (another file, or damaged): fetch it whole,
                    // now, rather than fail this run and succeed the next.
                    File.Delete(partial);
                    restarted = true;
                    resumedFrom = 0;
                    attempt--;
                    continue;
                }
                if (problem is not null)
                {
                    File.Delete(partial);
                    throw new DownloadException(
                        $"{file.FileName} from {url}: checksum mismatch ({problem}). The download was deleted; " +
                        "check the URL and checksum configured in pipeline.yaml, or the mirror's content.");
                }
                File.Move(partial, destination, overwrite: true);
                return new DownloadResult(destination, DownloadOutcome.Downloaded, transferred, resumedFrom, attempt) { Passed = passed };
            }
            catch (IOException e) when (DiskSpace.IsFull(e)) // not the network's doing: a retry would only wait
            {
                long received = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                throw new DownloadException($"{file.FileName} from {url}: {e.Message}" +
                    (received > 0 ? $"; the {received:N0} bytes received are kept in {partial} and the next run resumes from there" : ""), e);
            }
            catch (PermanentHttpError e)
            {
                errors.Add($"attempt {attempt}: {url}: {e.Message}");
                deadMirrors.Add(url);
                continue;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TransientHttpError
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                transferred += e is TransientHttpError t ? t.Received : 0;
                errors.Add($"attempt {attempt}: {url}: {e.Message}");
            }
            if (attempt < _options.MaxAttempts)
            {
                await Task.Delay(backoff, ct).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }
        var kept = File.Exists(partial) ? $" {new FileInfo(partial).Length:N0} bytes are kept in {partial} and the next run resumes from there." : "";
        throw new DownloadException($"{file.FileName}: download failed after {errors.Count} attempt(s):\n  " +
                                    string.Join("\n  ", passed.Concat(errors)) + "\n" + kept.Trim() +
                                    (kept.Length > 0 ? "\n" : "") + "Check the network (or proxy) and the URLs in pipeline.yaml, or name a folder already holding the file as local: in its section (dataset or weights); to try the pipeline offline use --profile demo (synthetic pets, ~4 min) or --profile smoke (~1 min).");
    }

    /// <summary>
    /// The first local copy (<see cref="DownloadOptions.LocalFolders"/>) that verifies, copied in through a temporary
    /// file and verified as copied (what is published is what was checked; a partial download stays for resuming unless a copy supersedes it);
    /// null when none does, with why in <paramref name="passed"/>.
    /// </summary>
    private async Task<DownloadResult?> CopyLocalAsync(RemoteFile file, string destination, List<string> passed, CancellationToken ct)
    {
        foreach (var folder in _options.LocalFolders)
        {
            var candidate = Path.Combine(folder, file.FileName);
            if (!File.Exists(candidate)) continue;
            if (!file.Checksum.IsPinned)
            {
                passed.Add($"{candidate}: not taken, {file.FileName} has no pinned MD5 or SHA-256 to verify it by");
                continue;
            }
            var temp = destination + ".copy";
            try
            {
                await using (var src = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true))
                await using (var dst = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true))
                {
                    long copied = 0;
                    await StreamCopy.WithProgress(src, dst, n => progress?.Report(new DownloadProgress(file.FileName, copied += n, src.Length, 0)), ct).ConfigureAwait(false);
                }
                if (file.Checksum.Verify(temp) is { } problem)
                {
                    passed.Add($"{candidate}: not taken, not the pinned file ({problem})");
                    continue;
                }
                File.Move(temp, destination, overwrite: true);
                if (File.Exists(PartialPath(destination))) File.Delete(PartialPath(destination)); // an interrupted download it supersedes
                return new DownloadResult(destination, DownloadOutcome.CopiedLocally, 0, 0, 0) { CopiedFrom = candidate, Passed = passed };
            }
            finally { if (File.Exists(temp)) File.Delete(temp); }
        }
        return null;
    }

    /// <summary>One request, appending to the partial file. Returns the bytes received.</summary>
    private async Task<long> FetchOnceAsync(string name, Uri url, string partial, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        // The host's own netrc entry only: a `default` login is not sent to the public servers of the official files.
        string? login = null;
        if (NetrcFile.Find(NetrcPath, url.Host) is { Machine: not null, Password: { } password } entry)
            request.Headers.Authorization = BasicAuthorization.Of(login = entry.Login ?? "", password);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            return 0; // the partial file already holds everything; the checksum decides
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
            throw new TransientHttpError($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", 0);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new PermanentHttpError($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}" + (login is null
                ? $": the server wants a login; put 'machine {url.Host} login NAME password SECRET' in {NetrcPath}"
                : $": the server refused the login {login} from {NetrcPath}"));
        if (!response.IsSuccessStatusCode)
            throw new PermanentHttpError($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

        bool append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
        if (!append) have = 0; // the server ignored the range: start over
        long? total = response.Content.Headers.ContentLength is { } len ? len + have : null;
        if (response.Content.Headers.ContentLength is { } remaining) // the real archives are 800 MB: say so before, not after most of them
            DiskSpace.Ensure(partial, remaining, "the download", have > 0 ? $"{DiskSpace.Size(remaining)} still to come, {DiskSpace.Size(have)} already here" : null);

        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var output = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        long received = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stall.CancelAfter(_options.StallTimeout);
            int n;
            try { n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                throw new TransientHttpError($"connection lost after {received:N0} bytes ({e.GetType().Name}: {e.Message})", received);
            }
            if (n == 0) break;
            await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            received += n;
            if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(100))
            {
                lastReport = clock.Elapsed;
                progress.Report(new DownloadProgress(name, have + received, total, received / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
            }
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
        if (total is { } expected && have + received < expected)
            throw new TransientHttpError($"connection closed after {have + received:N0} of {expected:N0} bytes", received);
        progress?.Report(new DownloadProgress(name, have + received, total, received / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
        return received;
    }

    private sealed class TransientHttpError(string message, long received) : Exception(message)
    {
        public long Received { get; } = received;
    }

    private sealed class PermanentHttpError(string message) : Exception(message);
}
