using System.IO.Hashing;

namespace PetSeg.IO;

/// <summary>Content digests used by the cache and the pipeline: XxHash128, hex, prefixed with the algorithm.</summary>
public static class Digest
{
    public const string Prefix = "xxh128:";

    public static string OfFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return OfStream(fs);
    }

    public static string OfStream(Stream stream)
    {
        var hash = new XxHash128();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) hash.Append(buffer.AsSpan(0, n));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
        return Format(hash.GetCurrentHash());
    }

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Format(XxHash128.Hash(bytes));

    public static string Format(ReadOnlySpan<byte> hash) => Prefix + Convert.ToHexStringLower(hash);
}
