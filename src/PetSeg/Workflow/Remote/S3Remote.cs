using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PetSeg.IO;

namespace PetSeg.Workflow.Remote;

/// <summary>
/// An S3 bucket (<c>s3://bucket/prefix</c>), or an S3-compatible server through <c>endpoint:</c>. Credentials are the
/// remote's own (<see cref="S3Credentials"/>: its variables or profile) or the AWS SDK's default chain, never pipeline.yaml.
/// Objects above 64 MiB go up in 16 MiB parts; downloads resume with ranged GETs.
/// </summary>
/// <remarks>
/// The SDK's defaults (aws-chunked uploads with trailing checksums) make S3-compatible servers store the chunk
/// framing as the object's body; chunk encoding is off and checksums only where required, which every S3 accepts.
/// </remarks>
public sealed class S3Remote : IRemoteStorage
{
    private const long MultipartThreshold = 64L << 20, PartSize = 16L << 20;
    private readonly AmazonS3Client _s3;
    private readonly string _bucket, _prefix;
    private readonly string _description, _name;
    private readonly S3Credentials _credentials;

    public S3Remote(string bucket, string prefix, string? endpoint, string? region, S3Credentials credentials, string name = "s3")
    {
        (_credentials, _name) = (credentials, name);
        region ??= credentials.Region;
        (_bucket, _prefix) = (bucket, prefix.Trim('/'));
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromMinutes(10),
            MaxErrorRetry = 3,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null) config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        try { _s3 = credentials.Credentials is { } c ? new AmazonS3Client(c, config) : new AmazonS3Client(config); }
        catch (AmazonClientException e) { throw new RemoteUnavailableException($"s3://{bucket}: no AWS credentials found ({e.Message}); {S3Credentials.Hint(name)}", e); }
        _description = $"s3://{bucket}/{_prefix}" + (endpoint is null ? "" : $" at {endpoint}");
    }

    public string Description => _description;

    private string KeyOf(string key) => _prefix.Length == 0 ? key : $"{_prefix}/{key}";

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try { return await call().ConfigureAwait(false); }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        { throw new RemoteUnavailableException(Refused(e), e); }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        { throw new RemoteUnavailableException($"{Description}: bucket '{_bucket}' does not exist", e); }
        catch (AmazonServiceException e) when (e is not AmazonS3Exception || (int)e.StatusCode >= 500)
        { throw new RemoteUnavailableException($"{Description}: the server failed ({e.StatusCode} {e.Message})", e); }
        catch (AmazonClientException e)
        { throw new RemoteUnavailableException($"{Description}: cannot reach it ({e.Message})", e); }
        catch (HttpRequestException e) { throw new RemoteUnavailableException($"{Description}: cannot connect ({e.Message})", e); }
    }

    /// <summary>Says which credentials were refused (never the secret), and how to give others.</summary>
    /// <remarks>A refused HEAD has no body, so the code is often just "Forbidden": where the keys came from is what helps.</remarks>
    private string Refused(AmazonS3Exception e) =>
        $"{Description}: access denied ({(e.ErrorCode is { Length: > 0 } code ? code : $"{(int)e.StatusCode} {e.StatusCode}")}); " +
        $"the credentials came from {_credentials.Source}" + (_credentials.Credentials is null ? $"; for others, {S3Credentials.Hint(_name)}" : "");

    private async Task<long?> SizeOf(string key, CancellationToken ct)
    {
        try
        {
            var meta = await Call(() => _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = KeyOf(key) }, ct)).ConfigureAwait(false);
            return meta.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct) => await SizeOf(key, ct).ConfigureAwait(false) is not null;

    public async Task PutAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        var length = new FileInfo(localFile).Length;
        if (length <= MultipartThreshold)
        {
            await Call(() => _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket, Key = KeyOf(key), FilePath = localFile, UseChunkEncoding = false, DisablePayloadSigning = false,
            }, ct)).ConfigureAwait(false);
            progress(length);
            return;
        }
        var upload = await Call(() => _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = KeyOf(key) }, ct)).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            for (int n = 1; (n - 1) * PartSize < length; n++)
            {
                var offset = (n - 1) * PartSize;
                var size = Math.Min(PartSize, length - offset);
                var number = n;
                var part = await Call(() => _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket, Key = KeyOf(key), UploadId = upload.UploadId, PartNumber = number,
                    FilePath = localFile, FilePosition = offset, PartSize = size, UseChunkEncoding = false,
                }, ct)).ConfigureAwait(false);
                parts.Add(new PartETag(number, part.ETag));
                progress(size);
            }
            // Only a completed upload becomes an object: a killed push leaves nothing visible.
            await Call(() => _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket, Key = KeyOf(key), UploadId = upload.UploadId, PartETags = parts,
            }, ct)).ConfigureAwait(false);
        }
        catch
        {
            try { await _s3.AbortMultipartUploadAsync(_bucket, KeyOf(key), upload.UploadId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception e) when (e is AmazonClientException or HttpRequestException) { }
            throw;
        }
    }

    public async Task<bool> GetAsync(string key, string localFile, Action<long> progress, CancellationToken ct)
    {
        if (await SizeOf(key, ct).ConfigureAwait(false) is not { } size) return false;
        var have = File.Exists(localFile) ? new FileInfo(localFile).Length : 0;
        if (have > size) have = 0;
        if (have == size && size > 0) { progress(have); return true; }
        var request = new GetObjectRequest { BucketName = _bucket, Key = KeyOf(key) };
        if (have > 0) request.ByteRange = new ByteRange(have, size - 1);
        using var response = await Call(() => _s3.GetObjectAsync(request, ct)).ConfigureAwait(false);
        if (have > 0) progress(have);
        await using var dst = new FileStream(localFile, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        await StreamCopy.WithProgress(response.ResponseStream, dst, progress, ct).ConfigureAwait(false);
        return true;
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = KeyOf(prefix) };
        while (true)
        {
            var page = await Call(() => _s3.ListObjectsV2Async(request, ct)).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
                yield return _prefix.Length == 0 ? o.Key : o.Key[(_prefix.Length + 1)..];
            if (page.IsTruncated != true) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public void Dispose() => _s3.Dispose();
}
