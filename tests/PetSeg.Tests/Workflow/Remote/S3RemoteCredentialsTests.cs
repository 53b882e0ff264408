using Amazon.Runtime;
using Amazon.S3;
using PetSeg.Core;
using PetSeg.Workflow.Remote;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Remote;

/// <summary>
/// An S3 remote with credentials of its own (a lab's MinIO beside a personal AWS account): the remote's variables,
/// then its AWS profile, then the SDK's chain — against a moto_server that checks signatures as AWS does, and through
/// the `petseg` program; keys written into pipeline.yaml are refused.
/// </summary>
public sealed class S3RemoteCredentialsTests : IDisposable
{
    private const string LabKey = "AKIALABEXAMPLE000001", LabSecret = "lab/secret+Example0000000000000000000001";
    private readonly TempDir _dir = new();

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    private string CredentialsFile(string text)
    {
        File.WriteAllText(_dir["aws-credentials"], text);
        return _dir["aws-credentials"];
    }

    [Fact]
    public void Credentials_come_from_the_remotes_variables_then_its_profile_then_the_sdks_chain()
    {
        var file = CredentialsFile($"""
            [default]
            aws_access_key_id = AKIADEFAULT000000001
            aws_secret_access_key = default-secret
            [lab]
            aws_access_key_id = {LabKey}
            aws_secret_access_key = {LabSecret}
            region = eu-west-3
            [personal]
            aws_access_key_id = AKIAPERSONAL00000001
            aws_secret_access_key = personal-secret
            """);
        var shared = ("AWS_SHARED_CREDENTIALS_FILE", file);

        var fromProfile = S3Credentials.Find("lab-minio", "lab", Env(shared));
        Assert.Equal(LabKey, fromProfile.Credentials!.GetCredentials().AccessKey);
        Assert.Equal("eu-west-3", fromProfile.Region);
        Assert.Equal($"AWS profile 'lab' (the remote's profile:, {file})", fromProfile.Source);

        // The machine's own choice beats the committed one; the remote's keys beat both.
        var overridden = S3Credentials.Find("lab-minio", "lab", Env(shared, ("PETSEG_REMOTE_LAB_MINIO_PROFILE", "personal")));
        Assert.Equal("AKIAPERSONAL00000001", overridden.Credentials!.GetCredentials().AccessKey);
        Assert.Contains("PETSEG_REMOTE_LAB_MINIO_PROFILE", overridden.Source);
        var fromVariables = S3Credentials.Find("lab-minio", "lab", Env(shared,
            ("PETSEG_REMOTE_LAB_MINIO_AWS_ACCESS_KEY_ID", "AKIAVARIABLE00009876"), ("PETSEG_REMOTE_LAB_MINIO_AWS_SECRET_ACCESS_KEY", "var-secret"),
            ("PETSEG_REMOTE_LAB_MINIO_AWS_SESSION_TOKEN", "session-token")));
        var immutable = fromVariables.Credentials!.GetCredentials();
        Assert.Equal(("AKIAVARIABLE00009876", "session-token"), (immutable.AccessKey, immutable.Token));
        Assert.Equal("PETSEG_REMOTE_LAB_MINIO_AWS_ACCESS_KEY_ID/PETSEG_REMOTE_LAB_MINIO_AWS_SECRET_ACCESS_KEY (key ****9876)", fromVariables.Source);

        var half = Assert.Throws<ConfigException>(() => S3Credentials.Find("lab-minio", null, Env(("PETSEG_REMOTE_LAB_MINIO_AWS_ACCESS_KEY_ID", "AKIA1"))));
        Assert.Equal("remote 'lab-minio': PETSEG_REMOTE_LAB_MINIO_AWS_ACCESS_KEY_ID is set but PETSEG_REMOTE_LAB_MINIO_AWS_SECRET_ACCESS_KEY is not; set both", half.Message);
        var unknown = Assert.Throws<ConfigException>(() => S3Credentials.Find("lab-minio", "labb", Env(shared)));
        Assert.Contains($"AWS profile 'labb' (the remote's profile:) is not in {file}", unknown.Message);
        Assert.Contains("did you mean 'lab'?", unknown.Message);
        Assert.Contains("profiles there: default, lab, personal", unknown.Message);
        Assert.Contains("aws configure --profile labb", unknown.Message);

        var chain = S3Credentials.Find("lab-minio", null, Env(shared));
        Assert.Null(chain.Credentials);
        Assert.Equal(S3Credentials.DefaultChain, chain.Source);
    }

    [Fact]
    public async Task A_server_that_checks_signatures_takes_the_remotes_own_keys_and_a_refusal_names_where_they_came_from()
    {
        using var moto = new MotoServer(authenticate: true);
        var alice = moto.Keys!;
        using (var admin = new AmazonS3Client(new BasicAWSCredentials(alice.Id, alice.Secret),
                   new AmazonS3Config { ServiceURL = moto.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
            await admin.PutBucketAsync("petseg");
        var shared = ("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile($"""
            [lab]
            aws_access_key_id = {alice.Id}
            aws_secret_access_key = {alice.Secret}
            [stale]
            aws_access_key_id = {alice.Id}
            aws_secret_access_key = {LabSecret}
            """));
        File.WriteAllText(_dir["object"], "a result");
        S3Remote Open(S3Credentials c) => new("petseg", "team", moto.Endpoint, null, c, "lab");

        using (var lab = Open(S3Credentials.Find("lab", "lab", Env(shared))))
        {
            await lab.PutAsync("cas/ab/object", _dir["object"], _ => { }, default);
            Assert.True(await lab.ExistsAsync("cas/ab/object", default));
            Assert.True(await lab.GetAsync("cas/ab/object", _dir["back"], _ => { }, default));
            Assert.Equal("a result", File.ReadAllText(_dir["back"]));
        }

        using (var stale = Open(S3Credentials.Find("lab", "stale", Env(shared))))
        {
            var refused = await Assert.ThrowsAsync<RemoteUnavailableException>(() => stale.PutAsync("cas/cd/object", _dir["object"], _ => { }, default));
            Assert.True(refused.Message.Contains("access denied (") && refused.Message.Contains("the credentials came from AWS profile 'stale' (the remote's profile:, "), refused.Message);
            Assert.DoesNotContain(LabSecret, refused.Message);
        }

        using (var strange = Open(S3Credentials.Find("lab", null, Env(("PETSEG_REMOTE_LAB_AWS_ACCESS_KEY_ID", LabKey), ("PETSEG_REMOTE_LAB_AWS_SECRET_ACCESS_KEY", LabSecret)))))
        {
            var refused = await Assert.ThrowsAsync<RemoteUnavailableException>(() => strange.PutAsync("cas/cd/object", _dir["object"], _ => { }, default));
            Assert.True(refused.Message.Contains("access denied (") && refused.Message.Contains("the credentials came from PETSEG_REMOTE_LAB_AWS_ACCESS_KEY_ID/PETSEG_REMOTE_LAB_AWS_SECRET_ACCESS_KEY (key ****0001)"), refused.Message);
        }

        // The SDK's chain (the variables every S3 test sets, which this server does not know): the message says how to give the remote its own.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "petseg-test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "petseg-test");
        using (var chain = Open(S3Credentials.Find("lab", null, Env())))
        {
            var refused = await Assert.ThrowsAsync<RemoteUnavailableException>(() => chain.ExistsAsync("cas/ab/object", default));
            Assert.True(refused.Message.Contains($"the credentials came from {S3Credentials.DefaultChain}; for others, set PETSEG_REMOTE_LAB_AWS_ACCESS_KEY_ID"), refused.Message);
        }
    }

    /// <summary>`petseg run --push` with the remote's profile, a stale profile on a required remote, and keys in pipeline.yaml.</summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task The_program_uses_the_remotes_profile_and_refuses_keys_written_in_pipeline_yaml()
    {
        using var moto = new MotoServer(authenticate: true);
        var alice = moto.Keys!;
        using var admin = new AmazonS3Client(new BasicAWSCredentials(alice.Id, alice.Secret),
            new AmazonS3Config { ServiceURL = moto.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await admin.PutBucketAsync("petseg");
        var environment = new Dictionary<string, string>
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile($"[lab]\naws_access_key_id = {alice.Id}\naws_secret_access_key = {alice.Secret}\n" +
                                                              $"[stale]\naws_access_key_id = {alice.Id}\naws_secret_access_key = {LabSecret}\n"),
        };
        string Yaml(string profile) => TinyPipeline.Yaml +
            $"\nremotes:\n  lab: {{ url: s3://petseg/team, endpoint: \"{moto.Endpoint}\", profile: {profile}, required: true }}\nremote: lab\n";

        Directory.CreateDirectory(_dir["a"]);
        File.WriteAllText(_dir["a/pipeline.yaml"], Yaml("lab"));
        var (exit, output) = CliProcess.RunWith(environment, "run", "download", "--push", "--config", _dir["a/pipeline.yaml"]);
        Assert.True(exit == 0, output);
        // A colleague with the lock and the same profile: the result comes from the bucket.
        Directory.CreateDirectory(_dir["c"]);
        File.WriteAllText(_dir["c/pipeline.yaml"], Yaml("lab"));
        File.Copy(_dir["a/pipeline.lock"], _dir["c/pipeline.lock"]);
        (exit, output) = CliProcess.RunWith(environment, "pull", "--config", _dir["c/pipeline.yaml"]);
        Assert.True(exit == 0 && output.Contains("pulled 1 result(s)"), output);

        Directory.CreateDirectory(_dir["b"]);
        File.WriteAllText(_dir["b/pipeline.yaml"], Yaml("stale"));
        (exit, output) = CliProcess.RunWith(environment, "run", "download", "--config", _dir["b/pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.True(output.Contains("remote 'lab' is required (required: true) but cannot be used"), output);
        Assert.True(output.Contains("the credentials came from AWS profile 'stale'"), output);
        Assert.DoesNotContain(LabSecret, output);

        File.WriteAllText(_dir["a/pipeline.yaml"], TinyPipeline.Yaml +
            $"\nremotes:\n  lab: {{ url: s3://petseg/team, secret_access_key: {LabSecret} }}\n");
        (exit, output) = CliProcess.Run("status", "--config", _dir["a/pipeline.yaml"]);
        Assert.Equal(1, exit);
        Assert.True(output.Contains("remotes.lab.secret_access_key: a secret would be committed with the file; set PETSEG_REMOTE_LAB_AWS_ACCESS_KEY_ID"), output);
        Assert.DoesNotContain(LabSecret, output);
    }

    public void Dispose() => _dir.Dispose();
}
