using System.Globalization;

namespace PetSeg.IO;

/// <summary>
/// Where two files, or two folders of files, differ, said for a person: the first differing byte of a file; which files
/// of a folder differ or are in one of them only. For <c>run --check</c>, where an output has no reading of its own.
/// </summary>
public static class FileDifference
{
    /// <summary>How many differing files of a folder are named; the rest are counted.</summary>
    private const int Named = 5;

    /// <summary>Null where both hold the same bytes (or either is missing).</summary>
    public static string? Describe(string stored, string recomputed)
    {
        if (Directory.Exists(stored) && Directory.Exists(recomputed)) return OfFolders(stored, recomputed);
        if (File.Exists(stored) && File.Exists(recomputed)) return OfFiles(stored, recomputed);
        return null;
    }

    private static string? OfFiles(string stored, string recomputed)
    {
        long was = new FileInfo(stored).Length, now = new FileInfo(recomputed).Length;
        if (FirstDifference(stored, recomputed) is not { } at) return null;
        var sizes = was == now ? $"{Count(was)} bytes" : $"{Count(was)} bytes stored, {Count(now)} now";
        if (at < Math.Min(was, now)) return $"the bytes first differ at offset {Count(at)} ({sizes})";
        var (longer, shorter) = was > now ? ("the stored file", "the new one") : ("the new file", "the stored one");
        return at == 0 ? $"{shorter} is empty ({sizes})" : $"{shorter} is the first {Count(at)} bytes of {longer} ({sizes})";
    }

    private static string? OfFolders(string stored, string recomputed)
    {
        static SortedSet<string> Files(string root) => new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')), StringComparer.Ordinal);
        var (was, now) = (Files(stored), Files(recomputed));
        var differ = was.Intersect(now, StringComparer.Ordinal)
            .Where(f => FirstDifference(Path.Combine(stored, f), Path.Combine(recomputed, f)) is not null).ToList();
        var onlyStored = was.Except(now, StringComparer.Ordinal).ToList();
        var onlyNow = now.Except(was, StringComparer.Ordinal).ToList();
        var parts = new List<string>();
        if (differ.Count > 0) parts.Add($"{Count(differ.Count)} of {Count(was.Count)} file(s) differ ({Listed(differ)})");
        if (onlyStored.Count > 0) parts.Add($"{Count(onlyStored.Count)} only in the stored result ({Listed(onlyStored)})");
        if (onlyNow.Count > 0) parts.Add($"{Count(onlyNow.Count)} only computed now ({Listed(onlyNow)})");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>The offset of the first byte that differs (the shorter file's length where one is a prefix of the other), or null where they are equal.</summary>
    public static long? FirstDifference(string a, string b)
    {
        using var x = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var y = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var (bx, by) = (new byte[1 << 16], new byte[1 << 16]);
        long offset = 0;
        while (true)
        {
            int nx = x.ReadAtLeast(bx, bx.Length, throwOnEndOfStream: false), ny = y.ReadAtLeast(by, by.Length, throwOnEndOfStream: false);
            int n = Math.Min(nx, ny);
            int i = bx.AsSpan(0, n).CommonPrefixLength(by.AsSpan(0, n));
            if (i < n || nx != ny) return offset + i;
            if (n == 0) return null;
            offset += n;
        }
    }

    private static string Listed(List<string> files) =>
        string.Join(", ", files.Take(Named)) + (files.Count > Named ? $", … {Count(files.Count - Named)} more" : "");

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
