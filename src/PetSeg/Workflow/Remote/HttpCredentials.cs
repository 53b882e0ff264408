using System.Net.Http.Headers;
using PetSeg.Core;
using PetSeg.IO;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// An HTTP remote's credentials, from where secrets are kept — never pipeline.yaml, which is committed. In order:
/// <c>PETSEG_REMOTE_&lt;NAME&gt;_TOKEN</c> (a bearer token), <c>PETSEG_REMOTE_&lt;NAME&gt;_USER</c> and <c>_PASSWORD</c>
/// (basic), then the host's entry in <c>~/.netrc</c> (<c>NETRC</c> names another file), as curl, git and pip read it.
/// A user name in the remote's URL picks that login's entry.
/// </summary>
/// <param name="Source">Where they came from, for messages (never the secret itself).</param>
public sealed record HttpCredentials(AuthenticationHeaderValue Header, string Source)
{
    /// <summary>How a user gives credentials to <paramref name="remote"/> at <paramref name="host"/>: for messages.</summary>
    public static string Hint(string remote, string host) =>
        $"set {RemoteVariables.Name(remote, "USER")} and {RemoteVariables.Name(remote, "PASSWORD")} (or {RemoteVariables.Name(remote, "TOKEN")} for a bearer token), " +
        $"or add 'machine {host} login NAME password SECRET' to ~/.netrc";

    /// <param name="environment">The environment (a parameter so tests need not change the process's).</param>
    public static HttpCredentials? Find(string remote, Uri url, Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        var tokenVariable = RemoteVariables.Name(remote, "TOKEN");
        if (Env(tokenVariable) is { } token) return new(new AuthenticationHeaderValue("Bearer", token), tokenVariable);

        var userVariable = RemoteVariables.Name(remote, "USER");
        var passwordVariable = RemoteVariables.Name(remote, "PASSWORD");
        var user = Env(userVariable) ?? (url.UserInfo.Length > 0 ? Uri.UnescapeDataString(url.UserInfo.Split(':')[0]) : null);
        if (Env(passwordVariable) is { } password)
            return user is null
                ? throw new ConfigException($"remote '{remote}': {passwordVariable} is set but no user name: set {userVariable} too")
                : Basic(user, password, $"{userVariable}/{passwordVariable} (login {user})");

        var netrc = NetrcFile.DefaultPath(environment);
        if (NetrcFile.Find(netrc, url.Host, user) is { Password: { } secret } entry)
        {
            var login = entry.Login ?? user ?? "";
            return Basic(login, secret, $"{netrc} ({(entry.Machine is null ? "default entry" : $"machine {entry.Machine}")}, login {login})");
        }
        if (Env(userVariable) is not null)
            throw new ConfigException($"remote '{remote}': {userVariable} is set but {passwordVariable} is not, and {netrc} has no password for {user} at {url.Host}");
        return null;
    }

    private static HttpCredentials Basic(string user, string password, string source) => new(BasicAuthorization.Of(user, password), source);
}
