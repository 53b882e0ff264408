using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PetSeg.Tests.Support;

/// <summary>
/// Real servers for the remote-store tests, started on 127.0.0.1 as child processes and stopped by PID (no systemd
/// here). build/bootstrap.sh installs them; a missing one fails the test with what to run.
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    private Process? _process;
    public int Port { get; } = TestText.FreePort();
    protected TempDir Dir { get; } = new();

    protected static string Require(string path, string package) =>
        File.Exists(path) ? path : throw new InvalidOperationException($"{path} not found: run `bash build/bootstrap.sh` as root (installs {package})");

    protected void Start(ProcessStartInfo psi, string name)
    {
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"{name} did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, Port); return; }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited) { Thread.Sleep(50); }
            catch (SocketException) { throw new InvalidOperationException($"{name} did not listen on 127.0.0.1:{Port} (exited: {_process.HasExited})"); }
        }
    }

    public void Dispose()
    {
        if (_process is { HasExited: false }) { _process.Kill(entireProcessTree: true); _process.WaitForExit(5000); }
        _process?.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// moto_server: an in-memory S3. Any access key works, unless it is started to <c>authenticate</c>: then it checks
/// signatures as AWS does and knows one IAM user, <see cref="Keys"/>, allowed all of S3. The bucket "petseg" is created
/// by the tests through the SDK.
/// </summary>
public sealed class MotoServer : LoopbackServer
{
    public sealed record AccessKey(string Id, string Secret);

    public MotoServer(bool authenticate = false)
    {
        var psi = new ProcessStartInfo(Require("/usr/bin/moto_server", "python3-moto"), $"-H 127.0.0.1 -p {Port}");
        // moto lets the first N requests in unsigned (to create the user and its key), then checks every one.
        if (authenticate) psi.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "3";
        Start(psi, "moto_server");
        if (!authenticate) return;
        Iam("CreateUser", ("UserName", "alice"));
        var created = Iam("CreateAccessKey", ("UserName", "alice"));
        Iam("PutUserPolicy", ("UserName", "alice"), ("PolicyName", "s3"),
            ("PolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"""));
        Keys = new(Element(created, "AccessKeyId"), Element(created, "SecretAccessKey"));
    }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The one user's key, when started to authenticate.</summary>
    public AccessKey? Keys { get; }

    /// <summary>An IAM query call; moto routes by the credential scope, and does not check the signature yet.</summary>
    private System.Xml.Linq.XDocument Iam(string action, params (string Key, string Value)[] parameters)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint + "/")
        {
            Content = new FormUrlEncodedContent([new("Action", action), new("Version", "2010-05-08"), .. parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))]),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
        using var response = http.Send(request);
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"moto IAM {action}: {(int)response.StatusCode} {body}");
        return System.Xml.Linq.XDocument.Parse(body);
    }

    private static string Element(System.Xml.Linq.XDocument xml, string name) =>
        xml.Descendants().First(e => e.Name.LocalName == name).Value;
}

/// <summary>
/// nginx with WebDAV PUT/DELETE into a temp folder: the HTTP cache protocol Bazel and Gradle use. With
/// <see cref="Credentials"/>, as a team's server would be: anyone reads, only its user writes; under <c>/private/</c> only
/// its user reads or writes; under <c>/bearer/</c> only requests with its bearer token.
/// </summary>
public sealed class NginxDav : LoopbackServer
{
    public sealed record Credentials(string User, string Password, string Token);

    public NginxDav(Credentials? auth = null)
    {
        var nginx = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : Require("/usr/bin/nginx", "nginx");
        var d = Dir.Path;
        foreach (var sub in new[] { "cache", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi" }) Directory.CreateDirectory(Path.Combine(d, sub));
        var basic = $"auth_basic \"petseg\"; auth_basic_user_file {d}/htpasswd;";
        var locations = auth is null ? "location / { " + Dav + " }" : string.Join("\n",
            "location / { " + Dav + " limit_except GET HEAD { " + basic + " } }",
            "location /private/ { " + Dav + " " + basic + " }",
            "location /bearer/ { " + Dav + " if ($http_authorization != \"Bearer " + auth.Token + "\") { return 401; } }");
        File.WriteAllText(Path.Combine(d, "nginx.conf"), $$"""
            worker_processes 1; pid {{d}}/nginx.pid; error_log {{d}}/error.log warn;
            events { worker_connections 256; }
            http { access_log {{d}}/access.log;
              client_body_temp_path {{d}}/tmp/body; proxy_temp_path {{d}}/tmp/proxy; fastcgi_temp_path {{d}}/tmp/fastcgi;
              uwsgi_temp_path {{d}}/tmp/uwsgi; scgi_temp_path {{d}}/tmp/scgi;
              server { listen 127.0.0.1:{{Port}}; root {{d}}/cache; client_max_body_size 0;
                {{locations}} } }
            """);
        // nginx's {PLAIN} scheme: the test's password as it is, no crypt(3) needed.
        if (auth is not null) File.WriteAllText(Path.Combine(d, "htpasswd"), $"{auth.User}:{{PLAIN}}{auth.Password}\n");
        var root = !OperatingSystem.IsWindows() && Environment.UserName == "root";
        if (root && !OperatingSystem.IsWindows()) // nginx refuses to run its workers as root from a private config: run it as nobody
            foreach (var p in Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories).Append(d))
                File.SetUnixFileMode(p, (UnixFileMode)0b111_111_111);
        var psi = root
            ? new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", nginx, "-p", d, "-c", Path.Combine(d, "nginx.conf"), "-g", "daemon off;"])
            : new ProcessStartInfo(nginx, ["-p", d, "-c", Path.Combine(d, "nginx.conf"), "-g", "daemon off;"]);
        Start(psi, "nginx");
    }

    private const string Dav = "dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw group:rw all:r;";

    public string Url => $"http://127.0.0.1:{Port}/petseg";
    public string Root => $"http://127.0.0.1:{Port}";
    public string CacheFolder => Path.Combine(Dir.Path, "cache");
}
