namespace PetSeg.Workflow.Remote;

/// <summary>
/// One remote under <c>remotes:</c> in pipeline.yaml. Credentials never appear here: S3 takes
/// <see cref="S3Credentials"/> (environment, a named profile, the SDK's chain), an HTTP cache
/// <see cref="HttpCredentials"/> (environment, ~/.netrc).
/// </summary>
/// <param name="Url"><c>s3://bucket/prefix</c>, <c>file:///mnt/petseg</c> or <c>http(s)://host/path</c>.</param>
/// <param name="Endpoint">An S3-compatible server's URL (MinIO, Ceph, a test server), instead of AWS.</param>
/// <param name="Profile">S3: the profile of ~/.aws/credentials (or ~/.aws/config) whose keys and region to use.</param>
/// <param name="Required">Fail the run when the remote cannot be used, instead of warning and working locally.</param>
/// <param name="Push">Upload what a run computes (as <c>--push</c> does).</param>
public sealed record RemoteConfig(string Name, string Url, string? Endpoint = null, string? Region = null, bool Required = false, bool Push = false, string? Profile = null);
