using System.Security.Cryptography;
using PetSeg.Data.Download;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Data.Download;

public sealed class HttpDownloaderTests : IDisposable
{
    private readonly LoopbackHttpServer _server = new();
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new();
    private readonly byte[] _content = RandomNumberGenerator.GetBytes(300_000);
    private static readonly DownloadOptions Fast = new() { InitialBackoff = TimeSpan.FromMilliseconds(10), MaxAttempts = 4 };

    public HttpDownloaderTests() => _server.Serve("images.tar.gz", _content);

    private RemoteFile File(string? md5 = null, params Uri[] urls) => new("images.tar.gz",
        urls.Length > 0 ? urls : [_server.Url("images.tar.gz")],
        new Checksum(md5 ?? Convert.ToHexStringLower(MD5.HashData(_content)), Convert.ToHexStringLower(SHA256.HashData(_content)), _content.Length));

    private string Dest => _dir["dl/images.tar.gz"];

    [Fact]
    public async Task Downloads_and_verifies()
    {
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
        Assert.False(System.IO.File.Exists(HttpDownloader.PartialPath(Dest)));
        Assert.Equal(_content.Length, r.BytesTransferred);

        var again = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.AlreadyPresent, again.Outcome);
        Assert.Equal(1, _server.Requests);
    }

    /// <summary>A mirror behind a login (a lab's own copy of the archives) takes the host's entry in a netrc file.</summary>
    [Fact]
    public async Task A_mirror_behind_a_login_takes_its_netrc_entry_and_a_refusal_says_where_the_login_goes()
    {
        _server.RequireAuthorization = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("alice:pw"));
        System.IO.File.WriteAllText(_dir["netrc"], "default login anonymous password guest\n"); // a default entry is never sent
        var e = await Assert.ThrowsAsync<DownloadException>(() => new HttpDownloader(_http, Fast with { Netrc = _dir["netrc"] }).DownloadAsync(File(), Dest));
        Assert.Contains($"HTTP 401 Unauthorized: the server wants a login; put 'machine 127.0.0.1 login NAME password SECRET' in {_dir["netrc"]}", e.Message);
        Assert.Equal([""], _server.AuthorizationHeaders.Distinct());

        System.IO.File.WriteAllText(_dir["netrc"], "machine 127.0.0.1 login alice password wrong\n");
        e = await Assert.ThrowsAsync<DownloadException>(() => new HttpDownloader(_http, Fast with { Netrc = _dir["netrc"] }).DownloadAsync(File(), Dest));
        Assert.Contains($"HTTP 401 Unauthorized: the server refused the login alice from {_dir["netrc"]}", e.Message);
        Assert.DoesNotContain("wrong", e.Message);

        System.IO.File.WriteAllText(_dir["netrc"], "machine 127.0.0.1 login alice password pw\n");
        var r = await new HttpDownloader(_http, Fast with { Netrc = _dir["netrc"] }).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
    }

    /// <summary>The file already on this machine (torchvision's archives, a cluster's datasets folder) is taken without a request, when it verifies.</summary>
    [Fact]
    public async Task A_local_copy_that_verifies_is_taken_instead_of_downloading_and_one_that_does_not_is_passed_with_why()
    {
        var (wrong, right, empty) = (_dir["wrong"], _dir["right"], _dir["empty"]);
        foreach (var d in new[] { wrong, right, empty }) Directory.CreateDirectory(d);
        var damaged = (byte[])_content.Clone();
        damaged[7] ^= 1;
        System.IO.File.WriteAllBytes(Path.Combine(wrong, "images.tar.gz"), damaged);
        System.IO.File.WriteAllBytes(Path.Combine(right, "images.tar.gz"), _content);
        Directory.CreateDirectory(_dir["dl"]);
        System.IO.File.WriteAllBytes(HttpDownloader.PartialPath(Dest), _content[..1000]); // an interrupted download, superseded by the copy
        var options = Fast with { LocalFolders = [empty, wrong, right] };

        var r = await new HttpDownloader(_http, options).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.CopiedLocally, r.Outcome);
        Assert.Equal(Path.Combine(right, "images.tar.gz"), r.CopiedFrom);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
        Assert.Equal(0, _server.Requests);
        var passed = Assert.Single(r.Passed);
        Assert.StartsWith($"{Path.Combine(wrong, "images.tar.gz")}: not taken, not the pinned file (MD5 is ", passed);
        Assert.Equal(["images.tar.gz"], Directory.GetFiles(_dir["dl"]).Select(Path.GetFileName)); // no temporary copy, no stale partial

        // Only the wrong copy: passed, and the file is downloaded. Without a pinned digest nothing local is taken.
        System.IO.File.Delete(Dest);
        r = await new HttpDownloader(_http, Fast with { LocalFolders = [wrong] }).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Single(r.Passed);
        System.IO.File.Delete(Dest);
        var unpinned = new RemoteFile("images.tar.gz", [_server.Url("images.tar.gz")], new Checksum());
        r = await new HttpDownloader(_http, Fast with { LocalFolders = [right] }).DownloadAsync(unpinned, Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Contains("has no pinned MD5 or SHA-256 to verify it by", Assert.Single(r.Passed));
    }

    /// <summary>
    /// torchvision's files are pinned by the SHA-256 prefix in their names (resnet50-0676ba61.pth), as its check_hash
    /// checks them: enough to take PyTorch's hub-cache copy, and a file that does not begin so is refused.
    /// </summary>
    [Fact]
    public async Task A_sha256_prefix_pins_a_local_copy_and_a_download_as_torchvision_checks_them()
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(_content));
        var byPrefix = new RemoteFile("images.tar.gz", [_server.Url("images.tar.gz")], new Checksum(Sha256Prefix: sha[..8]));
        Assert.True(byPrefix.Checksum.IsPinned);
        Assert.Equal($"sha256 {sha[..8]}…", byPrefix.Checksum.Pin);
        Directory.CreateDirectory(_dir["hub"]);
        System.IO.File.WriteAllBytes(Path.Combine(_dir["hub"], "images.tar.gz"), _content);
        var r = await new HttpDownloader(_http, Fast with { LocalFolders = [_dir["hub"]] }).DownloadAsync(byPrefix, Dest);
        Assert.Equal(DownloadOutcome.CopiedLocally, r.Outcome);
        Assert.Equal(0, _server.Requests);

        // A prefix the content does not begin with: the copy is passed and the download refused, naming both.
        System.IO.File.Delete(Dest);
        var other = sha[..7] + (sha[7] == '0' ? '1' : '0');
        var wrong = byPrefix with { Checksum = new Checksum(Sha256Prefix: other) };
        var e = await Assert.ThrowsAnyAsync<Exception>(() => new HttpDownloader(_http, Fast with { LocalFolders = [_dir["hub"]] }).DownloadAsync(wrong, Dest));
        Assert.Contains($"SHA-256 is {sha}, expected one beginning {other} (the file name's hash)", e.Message);
        Assert.False(System.IO.File.Exists(Dest));
        // A full digest, where there is one, still decides; the prefix never changes a pinned file's stage parameter.
        Assert.Equal(sha, new Checksum(Sha256: sha, Sha256Prefix: sha[..8]).Pin);
    }

    [Fact]
    public async Task A_present_file_changed_on_disk_is_detected_and_fetched_again()
    {
        await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.False(System.IO.File.Exists(HttpDownloader.PartialPath(Dest)));
        var bytes = System.IO.File.ReadAllBytes(Dest);
        bytes[10] ^= 1;
        System.IO.File.WriteAllBytes(Dest, bytes); // same size: only the checksum can tell
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public async Task Checksum_mismatch_is_a_clear_error_and_leaves_nothing_valid()
    {
        var e = await Assert.ThrowsAsync<DownloadException>(() => new HttpDownloader(_http, Fast).DownloadAsync(File(md5: new string('0', 32)), Dest));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains("MD5", e.Message);
        Assert.False(System.IO.File.Exists(Dest));
        Assert.False(System.IO.File.Exists(HttpDownloader.PartialPath(Dest)));
    }

    [Fact]
    public async Task A_cut_connection_is_resumed_by_the_next_run()
    {
        _server.CutNextResponseAfter = 100_000;
        var once = Fast with { MaxAttempts = 1 };
        var e = await Assert.ThrowsAsync<DownloadException>(() => new HttpDownloader(_http, once).DownloadAsync(File(), Dest));
        Assert.Contains("resumes", e.Message);
        Assert.Equal(100_000, new FileInfo(HttpDownloader.PartialPath(Dest)).Length);
        Assert.False(System.IO.File.Exists(Dest));

        long sentBefore = _server.BodyBytesSent;
        var r = await new HttpDownloader(_http, once).DownloadAsync(File(), Dest);
        Assert.Equal(100_000, r.ResumedFrom);
        Assert.Equal(_content.Length - 100_000, r.BytesTransferred);
        Assert.Equal(_content.Length - 100_000, _server.BodyBytesSent - sentBefore);
        Assert.Contains("bytes=100000-", _server.RangeHeaders);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
    }

    [Fact]
    public async Task A_leftover_partial_of_foreign_bytes_is_discarded_and_fetched_again_in_the_same_run()
    {
        Directory.CreateDirectory(_dir["dl"]);
        System.IO.File.WriteAllBytes(HttpDownloader.PartialPath(Dest), RandomNumberGenerator.GetBytes(70_000)); // another file's start
        var once = Fast with { MaxAttempts = 1 }; // even with one attempt: the restart is not a retry of a failure
        var r = await new HttpDownloader(_http, once).DownloadAsync(File(), Dest);
        Assert.Equal(DownloadOutcome.Downloaded, r.Outcome);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
        Assert.Equal(["bytes=70000-"], _server.RangeHeaders); // resumed once, then fetched whole without a range
        Assert.Equal(_content.Length - 70_000 + _content.Length, _server.BodyBytesSent);
        Assert.False(System.IO.File.Exists(HttpDownloader.PartialPath(Dest)));
    }

    [Fact]
    public async Task A_cut_connection_is_resumed_within_one_run()
    {
        _server.CutNextResponseAfter = 50_000;
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(_content.Length, _server.BodyBytesSent); // nothing was sent twice
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        _server.FailNextRequests = 2;
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(3, r.Attempts);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
    }

    [Fact]
    public async Task Persistent_server_errors_end_in_a_clear_error()
    {
        _server.FailNextRequests = 100;
        _server.FailStatus = 503;
        var e = await Assert.ThrowsAsync<DownloadException>(() => new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest));
        Assert.Equal(4, _server.Requests);
        Assert.Contains("failed after 4 attempt(s)", e.Message);
        Assert.Contains("HTTP 503", e.Message);
        Assert.False(System.IO.File.Exists(Dest));
    }

    [Fact]
    public async Task A_missing_mirror_falls_back_to_the_next_and_redirects_are_followed()
    {
        _server.Redirect("old/images.tar.gz", _server.Url("images.tar.gz").ToString());
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(null, _server.Url("gone.tar.gz"), _server.Url("old/images.tar.gz")), Dest);
        Assert.Equal(2, r.Attempts);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_restarts_from_zero()
    {
        _server.CutNextResponseAfter = 70_000;
        _server.IgnoreRange = true;
        var r = await new HttpDownloader(_http, Fast).DownloadAsync(File(), Dest);
        Assert.Equal(_content, System.IO.File.ReadAllBytes(Dest));
        Assert.Equal(70_000 + _content.Length, r.BytesTransferred);
    }

    public void Dispose() { _http.Dispose(); _server.Dispose(); _dir.Dispose(); }
}
