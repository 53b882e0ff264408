using System.Security.Cryptography;

namespace PetSeg.Data.Download;

/// <summary>Expected digests of a remote file; any that is set must match.</summary>
public sealed record Checksum(string? Md5 = null, string? Sha256 = null, long? Size = null)
{
    public bool IsEmpty => Md5 is null && Sha256 is null && Size is null;

    /// <summary>Whether a digest names the content (a size alone does not).</summary>
    public bool IsPinned => Md5 is not null || Sha256 is not null;

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
            if (Sha256 is not null) sha.AppendData(buffer, 0, n);
        }
        if (Md5 is not null)
        {
            var actual = Convert.ToHexStringLower(md5.GetHashAndReset());
            if (!actual.Equals(Md5, StringComparison.OrdinalIgnoreCase)) return $"MD5 is {actual}, expected {Md5}";
        }
        if (Sha256 is not null)
        {
            var actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (!actual.Equals(Sha256, StringComparison.OrdinalIgnoreCase)) return $"SHA-256 is {actual}, expected {Sha256}";
        }
        return null;
    }
}
