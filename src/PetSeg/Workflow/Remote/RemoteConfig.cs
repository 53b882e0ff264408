namespace PetSeg.Workflow.Remote;

/// <summary>
/// One remote under <c>remotes:</c> in pipeline.yaml. Credentials never appear here: S3 takes the AWS SDK's default
/// chain (environment, profiles), an HTTP cache <see cref="HttpCredentials"/> (environment, ~/.netrc).
/// </summary>
/// <param name="Url"><c>s3://bucket/prefix</c>, <c>file:///mnt/petseg</c> or <c>http(s)://host/path</c>.</param>
/// <param name="Endpoint">An S3-compatible server's URL (MinIO, Ceph, a test server), instead of AWS.</param>
/// <param name="Required">Fail the run when the remote cannot be used, instead of warning and working locally.</param>
/// <param name="Push">Upload what a run computes (as <c>--push</c> does).</param>
public sealed record RemoteConfig(string Name, string Url, string? Endpoint = null, string? Region = null, bool Required = false, bool Push = false);
