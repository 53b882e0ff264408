using System.Security.Cryptography;

namespace PetSeg.Data.Download;

/// <summary>Expected digests of a remote file; any that is set must match.</summary>
/// <param name="Sha256Prefix">The first hex digits of the SHA-256, as torchvision names its files (<c>resnet50-0676ba61.pth</c>)
/// and checks them (<c>check_hash</c>): a weaker pin, for files whose full digest is not published.</param>
public sealed record Checksum(string? Md5 = null, string? Sha256 = null, long? Size = null, string? Sha256Prefix = null)
{
    public bool IsEmpty => Md5 is null && Sha256 is null && Size is null && Sha256Prefix is null;

    /// <summary>Whether a digest names the content (a size alone does not).</summary>
    public bool IsPinned => Md5 is not null || Sha256 is not null || Sha256Prefix is not null;

    /// <summary>The pin as a stage parameter: the strongest digest there is (an existing file's key never changes with a prefix added).</summary>
    public string Pin => Sha256 ?? Md5 ?? (Sha256Prefix is { } prefix ? $"sha256 {prefix}…" : "unpinned");

    /// <summary>Returns null when the file matches, otherwise a sentence naming what differs.</summary>
    public string? Verify(string path)
    {
        var length = new FileInfo(path).Length;
        if (Size is { } size && size != length)
            return $"size is {length:N0} bytes, expected {size:N0}";
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = fs.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (Md5 is not null) md5.AppendData(buffer, 0, n);
            if (Sha256 is not null || Sha256Prefix is not null) sha.AppendData(buffer, 0, n);
        }
        if (Md5 is not null)
        {
            var actual = Convert.ToHexStringLower(md5.GetHashAndReset());
            if (!actual.Equals(Md5, StringComparison.OrdinalIgnoreCase)) return $"MD5 is {actual}, expected {Md5}";
        }
        if (Sha256 is not null || Sha256Prefix is not null)
        {
            var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (Sha256 is not null && !actual.Equals(Sha256, StringComparison.OrdinalIgnoreCase)) return $"SHA-256 is {actual}, expected {Sha256}";
            if (Sha256Prefix is not null && !actual.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
                return $"SHA-256 is {actual}, expected one beginning {Sha256Prefix} (the file name's hash)";
        }
        return null;
    }
}
