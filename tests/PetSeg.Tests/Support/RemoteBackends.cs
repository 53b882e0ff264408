using Amazon.Runtime;
using Amazon.S3;
using PetSeg.Workflow.Remote;

namespace PetSeg.Tests.Support;

/// <summary>
/// The three kinds of remote on loopback for a test class: a folder, S3 (moto_server, bucket "petseg") and an HTTP
/// cache (nginx WebDAV). Servers start on first use and stop with the fixture.
/// </summary>
public sealed class RemoteBackends : IDisposable
{
    public static readonly TheoryData<string> Kinds = ["folder", "s3", "http"];

    private readonly TempDir _dir = new();
    private readonly Lazy<MotoServer> _moto = new(StartMoto);
    private readonly Lazy<NginxDav> _nginx = new(() => new NginxDav());

    private static MotoServer StartMoto()
    {
        // The AWS SDK's default credential chain reads these, as it would a user's; moto accepts any.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "petseg-test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "petseg-test");
        var moto = new MotoServer();
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("petseg-test", "petseg-test"),
            new AmazonS3Config { ServiceURL = moto.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        s3.PutBucketAsync("petseg").GetAwaiter().GetResult();
        return moto;
    }

    /// <summary>A fresh, empty remote of <paramref name="kind"/> as pipeline.yaml declares it.</summary>
    public RemoteConfig Config(string kind, string name = "team", bool required = false)
    {
        var unique = Guid.NewGuid().ToString("N")[..8];
        return kind switch
        {
            "folder" => new RemoteConfig(name, new Uri(Directory.CreateDirectory(_dir[unique]).FullName).AbsoluteUri, Required: required),
            "s3" => new RemoteConfig(name, $"s3://petseg/{unique}", Endpoint: _moto.Value.Endpoint, Required: required),
            "http" => new RemoteConfig(name, $"{_nginx.Value.Url}/{unique}", Required: required),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>The same remote as YAML under <c>remotes:</c>.</summary>
    public static string Yaml(RemoteConfig r) =>
        $"\nremotes:\n  {r.Name}: {{ url: \"{r.Url}\"{(r.Endpoint is null ? "" : $", endpoint: \"{r.Endpoint}\"")}{(r.Required ? ", required: true" : "")} }}\nremote: {r.Name}\n";

    public static IRemoteStorage Open(RemoteConfig r) => RemoteRegistry.Open(r);

    public NginxDav Nginx => _nginx.Value;

    public void Dispose()
    {
        if (_moto.IsValueCreated) _moto.Value.Dispose();
        if (_nginx.IsValueCreated) _nginx.Value.Dispose();
        _dir.Dispose();
    }
}
