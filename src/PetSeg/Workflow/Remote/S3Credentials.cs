using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using PetSeg.Core;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// An S3 remote's credentials. Never from pipeline.yaml (it is committed); in order:
/// <c>PETSEG_REMOTE_&lt;NAME&gt;_AWS_ACCESS_KEY_ID</c> and <c>_AWS_SECRET_ACCESS_KEY</c> (and <c>_AWS_SESSION_TOKEN</c>),
/// then a named profile of <c>~/.aws/credentials</c> / <c>~/.aws/config</c> (<c>PETSEG_REMOTE_&lt;NAME&gt;_PROFILE</c>, else
/// the remote's <c>profile:</c>), else the AWS SDK's default chain (<c>AWS_*</c> variables, <c>AWS_PROFILE</c>, an
/// instance role). Per-remote credentials let one run reach a lab's MinIO and a personal AWS bucket, each with its own.
/// </summary>
/// <param name="Credentials">Null: the SDK's default chain.</param>
/// <param name="Source">Where they came from, for messages (never the secret itself).</param>
/// <param name="Region">The profile's region, used when the remote declares none.</param>
public sealed record S3Credentials(AWSCredentials? Credentials, string Source, string? Region)
{
    public const string DefaultChain = "the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials' default profile, an instance role)";

    /// <summary>How a user gives credentials to <paramref name="remote"/>: for messages.</summary>
    public static string Hint(string remote) =>
        $"set {RemoteVariables.Name(remote, "AWS_ACCESS_KEY_ID")} and {RemoteVariables.Name(remote, "AWS_SECRET_ACCESS_KEY")}, " +
        $"name a profile of ~/.aws/credentials as the remote's 'profile:' (or in {RemoteVariables.Name(remote, "PROFILE")}), " +
        "or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE";

    /// <param name="profile">The remote's <c>profile:</c> in pipeline.yaml.</param>
    /// <param name="environment">The environment (a parameter so tests need not change the process's).</param>
    public static S3Credentials Find(string remote, string? profile, Func<string, string?> environment)
    {
        string? Env(string name) => environment(name) is { Length: > 0 } v ? v : null;
        var keyVariable = RemoteVariables.Name(remote, "AWS_ACCESS_KEY_ID");
        var secretVariable = RemoteVariables.Name(remote, "AWS_SECRET_ACCESS_KEY");
        var sessionVariable = RemoteVariables.Name(remote, "AWS_SESSION_TOKEN");
        var (key, secret) = (Env(keyVariable), Env(secretVariable));
        if (key is not null || secret is not null)
        {
            if (key is null || secret is null)
                throw new ConfigException($"remote '{remote}': {(key is null ? secretVariable : keyVariable)} is set but {(key is null ? keyVariable : secretVariable)} is not; set both");
            var credentials = Env(sessionVariable) is { } session ? new SessionAWSCredentials(key, secret, session) : (AWSCredentials)new BasicAWSCredentials(key, secret);
            return new(credentials, $"{keyVariable}/{secretVariable} (key {Masked(key)})", null);
        }

        var profileVariable = RemoteVariables.Name(remote, "PROFILE");
        var (name, from) = Env(profileVariable) is { } p ? (p, profileVariable) : (profile, "the remote's profile:");
        if (name is null) return new(null, DefaultChain, null);
        var file = Env("AWS_SHARED_CREDENTIALS_FILE") is { } path ? new SharedCredentialsFile(path) : new SharedCredentialsFile();
        if (!file.TryGetProfile(name, out var found))
        {
            var names = file.ListProfileNames();
            throw new ConfigException($"remote '{remote}': AWS profile '{name}' ({from}) is not in {file.FilePath} or {file.ConfigFilePath}" +
                $"{ClosestName.Suggestion(name, names)}; profiles there: {(names.Count == 0 ? "none" : string.Join(", ", names))}. Add it with `aws configure --profile {name}`");
        }
        AWSCredentials? fromProfile;
        try { fromProfile = found.GetAWSCredentials(file); }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or IOException)
        { throw new ConfigException($"remote '{remote}': AWS profile '{name}' in {file.FilePath} cannot give credentials: {e.Message}"); }
        if (fromProfile is null) throw new ConfigException($"remote '{remote}': AWS profile '{name}' in {file.FilePath} holds no usable credentials");
        return new(fromProfile, $"AWS profile '{name}' ({from}, {file.FilePath})", found.Region?.SystemName);
    }

    /// <summary>An access key id as <c>aws configure list</c> shows it: only its last four characters.</summary>
    private static string Masked(string key) => key.Length <= 4 ? "****" : "****" + key[^4..];
}
