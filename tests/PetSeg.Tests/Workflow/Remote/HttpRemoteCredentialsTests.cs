using System.Text;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Lab;
using PetSeg.Workflow.Remote;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Remote;

/// <summary>
/// An HTTP remote behind a login, as a lab's WebDAV server is: credentials from the environment or ~/.netrc (never
/// pipeline.yaml), sent to that server only, and a refusal that says what to do — against a real nginx with basic
/// auth and a bearer-token location on loopback, and through the `petseg` program.
/// </summary>
public sealed class HttpRemoteCredentialsTests : IDisposable
{
    private static readonly NginxDav.Credentials Team = new("alice", "s3cret-Pw", "tok-3f9a");
    private readonly TempDir _dir = new();

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    private static string Decoded(HttpCredentials c) => c.Header.Scheme == "Basic"
        ? Encoding.UTF8.GetString(Convert.FromBase64String(c.Header.Parameter!)) : $"{c.Header.Scheme} {c.Header.Parameter}";

    [Fact]
    public void Netrc_entries_are_found_as_curl_finds_them()
    {
        File.WriteAllText(_dir["netrc"], """
            # the lab's servers
            machine dav.lab.example login alice password "pass word\"1"
            machine DAV.lab.example login bob password two
            macdef init
            machine not.an.entry login x password y

            machine other.example
              login carol
              account ignored
              password three
            default login anonymous password guest
            """);
        Assert.Equal(new NetrcFile.Entry("dav.lab.example", "alice", "pass word\"1"), NetrcFile.Find(_dir["netrc"], "dav.lab.example"));
        Assert.Equal("two", NetrcFile.Find(_dir["netrc"], "dav.lab.example", login: "bob")?.Password); // a login picks its entry
        Assert.Equal(new NetrcFile.Entry("other.example", "carol", "three"), NetrcFile.Find(_dir["netrc"], "OTHER.example"));
        Assert.Equal(new NetrcFile.Entry(null, "anonymous", "guest"), NetrcFile.Find(_dir["netrc"], "not.an.entry")); // inside a macro: not an entry
        Assert.Null(NetrcFile.Find(_dir["missing"], "dav.lab.example"));
    }

    [Fact]
    public void Credentials_come_from_the_environment_then_netrc_and_never_from_the_url()
    {
        var url = new Uri("https://dav.lab.example/petseg");
        File.WriteAllText(_dir["netrc"], "machine dav.lab.example login alice password from-netrc\nmachine dav.lab.example login bob password bobs\n");
        var netrc = ("NETRC", _dir["netrc"]);

        var token = HttpCredentials.Find("lab-nas", url, Env(("PETSEG_REMOTE_LAB_NAS_TOKEN", "t0k"), ("PETSEG_REMOTE_LAB_NAS_USER", "u"), ("PETSEG_REMOTE_LAB_NAS_PASSWORD", "p"), netrc))!;
        Assert.Equal("Bearer t0k", Decoded(token));
        Assert.Equal("PETSEG_REMOTE_LAB_NAS_TOKEN", token.Source);

        var basic = HttpCredentials.Find("team", url, Env(("PETSEG_REMOTE_TEAM_USER", "u"), ("PETSEG_REMOTE_TEAM_PASSWORD", "p:w"), netrc))!;
        Assert.Equal("u:p:w", Decoded(basic));
        Assert.Equal("PETSEG_REMOTE_TEAM_USER/PETSEG_REMOTE_TEAM_PASSWORD (login u)", basic.Source);

        var fromNetrc = HttpCredentials.Find("team", url, Env(netrc))!;
        Assert.Equal("alice:from-netrc", Decoded(fromNetrc));
        Assert.Equal($"{_dir["netrc"]} (machine dav.lab.example, login alice)", fromNetrc.Source);
        Assert.Equal("bob:bobs", Decoded(HttpCredentials.Find("team", new Uri("https://bob@dav.lab.example/petseg"), Env(netrc))!)); // the URL's user picks the entry
        Assert.Equal("bob:pw", Decoded(HttpCredentials.Find("team", new Uri("https://bob@dav.lab.example/petseg"), Env(("PETSEG_REMOTE_TEAM_PASSWORD", "pw")))!));

        Assert.Null(HttpCredentials.Find("team", new Uri("https://elsewhere.example/"), Env(netrc)));
        Assert.Contains("PETSEG_REMOTE_TEAM_PASSWORD is set but no user name: set PETSEG_REMOTE_TEAM_USER too",
            Assert.Throws<ConfigException>(() => HttpCredentials.Find("team", url, Env(("PETSEG_REMOTE_TEAM_PASSWORD", "p")))).Message);
        Assert.Contains("PETSEG_REMOTE_TEAM_USER is set but PETSEG_REMOTE_TEAM_PASSWORD is not",
            Assert.Throws<ConfigException>(() => HttpCredentials.Find("team", url, Env(("PETSEG_REMOTE_TEAM_USER", "carol"), netrc))).Message);
    }

    [Fact]
    public async Task A_server_behind_a_login_takes_the_credentials_and_a_refusal_says_what_to_do()
    {
        using var nginx = new NginxDav(Team);
        var ct = CancellationToken.None;
        File.WriteAllBytes(_dir["object"], Encoding.UTF8.GetBytes("weights"));
        var basic = new HttpCredentials(new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Team.User}:{Team.Password}"))), "the test's login");
        var wrong = basic with { Header = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Team.User}:guess"))) };

        // /private/: nothing without the login; with it, bytes round trip.
        using (var anonymous = new HttpRemote(new Uri($"{nginx.Root}/private/petseg"), null, "team"))
        {
            var e = await Assert.ThrowsAsync<RemoteUnavailableException>(() => anonymous.ExistsAsync("cas/aa/x", ct));
            Assert.Contains("HEAD answered 401 Unauthorized: the server wants credentials and none were found; set PETSEG_REMOTE_TEAM_USER and PETSEG_REMOTE_TEAM_PASSWORD", e.Message);
            Assert.Contains("or add 'machine 127.0.0.1 login NAME password SECRET' to ~/.netrc", e.Message);
        }
        using (var refused = new HttpRemote(new Uri($"{nginx.Root}/private/petseg"), wrong, "team"))
        {
            var e = await Assert.ThrowsAsync<RemoteUnavailableException>(() => refused.PutAsync("cas/aa/x", _dir["object"], _ => { }, ct));
            Assert.Contains("PUT answered 401 Unauthorized: the server refused the credentials from the test's login", e.Message);
            Assert.DoesNotContain("guess", e.Message);
        }
        using (var member = new HttpRemote(new Uri($"{nginx.Root}/private/petseg"), basic, "team"))
        {
            await member.PutAsync("cas/aa/x", _dir["object"], _ => { }, ct);
            Assert.True(await member.ExistsAsync("cas/aa/x", ct));
            Assert.True(await member.GetAsync("cas/aa/x", _dir["back"], _ => { }, ct));
            Assert.Equal("weights", File.ReadAllText(_dir["back"]));
        }

        // A bearer token.
        var token = new HttpCredentials(new("Bearer", Team.Token), "PETSEG_REMOTE_TEAM_TOKEN");
        using (var withToken = new HttpRemote(new Uri($"{nginx.Root}/bearer/petseg"), token, "team"))
        {
            await withToken.PutAsync("cas/bb/y", _dir["object"], _ => { }, ct);
            Assert.True(await withToken.GetAsync("cas/bb/y", _dir["back2"], _ => { }, ct));
        }
        using (var withoutToken = new HttpRemote(new Uri($"{nginx.Root}/bearer/petseg"), null, "team"))
            await Assert.ThrowsAsync<RemoteUnavailableException>(() => withoutToken.ExistsAsync("cas/bb/y", ct));

        // Anyone reads, only the team writes: a puller needs no login, a pusher is told how to give one.
        using (var member = new HttpRemote(new Uri($"{nginx.Root}/shared"), basic, "team"))
            await member.PutAsync("cas/cc/z", _dir["object"], _ => { }, ct);
        using (var reader = new HttpRemote(new Uri($"{nginx.Root}/shared"), null, "team"))
        {
            Assert.True(await reader.GetAsync("cas/cc/z", _dir["back3"], _ => { }, ct));
            Assert.Contains("PUT answered 401", (await Assert.ThrowsAsync<RemoteUnavailableException>(() => reader.PutAsync("cas/cc/w", _dir["object"], _ => { }, ct))).Message);
        }
    }

    [Fact]
    public async Task Credentials_go_to_the_remotes_host_only_not_where_it_redirects()
    {
        using var remoteHost = new LoopbackHttpServer();
        using var elsewhere = new LoopbackHttpServer();
        elsewhere.Serve("blob", Encoding.UTF8.GetBytes("weights"));
        remoteHost.Redirect("petseg/cas/aa/x", elsewhere.Url("blob").ToString());
        var credentials = new HttpCredentials(new("Bearer", "tok"), "PETSEG_REMOTE_TEAM_TOKEN");
        using var remote = new HttpRemote(remoteHost.Url("petseg"), credentials, "team");
        Assert.True(await remote.GetAsync("cas/aa/x", _dir["back"], _ => { }, CancellationToken.None));
        Assert.Equal("weights", File.ReadAllText(_dir["back"]));
        Assert.Equal(["Bearer tok"], remoteHost.AuthorizationHeaders);
        Assert.Equal([""], elsewhere.AuthorizationHeaders);
    }

    /// <summary>`petseg run --push` with the login in the environment, `petseg pull` with it in a netrc file, and without any.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void The_program_pushes_and_pulls_through_a_login_from_the_environment_or_netrc()
    {
        using var nginx = new NginxDav(Team);
        var yaml = TinyPipeline.Yaml + $"\nremotes:\n  lab-dav: {{ url: \"{nginx.Root}/private/petseg\" }}\nremote: lab-dav\n";
        foreach (var ws in new[] { "a", "b", "c" })
        {
            Directory.CreateDirectory(_dir[ws]);
            File.WriteAllText(_dir[$"{ws}/pipeline.yaml"], yaml);
        }
        var login = new Dictionary<string, string> { ["PETSEG_REMOTE_LAB_DAV_USER"] = Team.User, ["PETSEG_REMOTE_LAB_DAV_PASSWORD"] = Team.Password };
        var (exit, output) = CliProcess.RunWith(login, "run", "download", "--push", "--config", _dir["a/pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(nginx.CacheFolder, "private/petseg/stages")));

        // A colleague with a.lock committed and the login in a netrc file: pull, then the run is all cache hits.
        File.Copy(_dir["a/pipeline.lock"], _dir["b/pipeline.lock"]);
        File.WriteAllText(_dir["netrc"], $"machine 127.0.0.1\n  login {Team.User}\n  password {Team.Password}\n");
        var netrc = new Dictionary<string, string> { ["NETRC"] = _dir["netrc"] };
        (exit, output) = CliProcess.RunWith(netrc, "pull", "--config", _dir["b/pipeline.yaml"]);
        Assert.True(exit == 0 && output.Contains("pulled 1 result(s)"), output);
        (exit, output) = CliProcess.RunWith(netrc, "run", "download", "--config", _dir["b/pipeline.yaml"]);
        Assert.True(exit == 0 && output.Contains("0 pulled, 1 cache hit(s)"), output);

        // No login: the run works locally and says, once, how to give one; a password in the URL is refused.
        (exit, output) = CliProcess.RunWith(new Dictionary<string, string> { ["NETRC"] = _dir["no-netrc"] }, "run", "download", "--config", _dir["c/pipeline.yaml"]);
        Assert.True(exit == 0, output);
        Assert.Equal(1, TestText.CountOf(output, "warning: remote 'lab-dav' cannot be used"));
        Assert.Contains("set PETSEG_REMOTE_LAB_DAV_USER and PETSEG_REMOTE_LAB_DAV_PASSWORD", output);
        File.WriteAllText(_dir["c/pipeline.yaml"], yaml.Replace("http://127.0.0.1", $"http://{Team.User}:{Team.Password}@127.0.0.1"));
        (exit, output) = CliProcess.Run("status", "--config", _dir["c/pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.Contains("url: holds a password, which would be committed with the file; give it as PETSEG_REMOTE_LAB_DAV_PASSWORD or in ~/.netrc", output);
    }

    public void Dispose() => _dir.Dispose();
}
