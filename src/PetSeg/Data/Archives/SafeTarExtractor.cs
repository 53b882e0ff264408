using System.Formats.Tar;
using System.IO.Compression;

namespace PetSeg.Data.Archives;

/// <summary>
/// Extracts a tar or tar.gz (sniffed by magic bytes, not by suffix) without ever writing outside the target folder:
/// absolute paths, <c>..</c> segments and links are refused with the offending member named; macOS AppleDouble
/// <c>._*</c> junk is skipped.
/// </summary>
public static class SafeTarExtractor
{
    public sealed record Result(int Files, int SkippedJunk);

    public static Result Extract(string archivePath, string targetDir, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(targetDir);
        Directory.CreateDirectory(root);
        var rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;

        using var file = File.OpenRead(archivePath);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new TarReader(stream);
        int files = 0, junk = 0;
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            ct.ThrowIfCancellationRequested();
            var name = entry.Name.Replace('\\', '/');
            var where = $"{Path.GetFileName(archivePath)}: member '{entry.Name}'";
            if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':'))
                throw new UnsafeArchiveException($"{where} has an absolute path; refusing to extract.");
            var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Any(s => s == ".."))
                throw new UnsafeArchiveException($"{where} climbs out of the target folder ('..'); refusing to extract.");
            if (segments.Any(s => s.StartsWith("._", StringComparison.Ordinal))) { junk++; continue; }
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                throw new UnsafeArchiveException($"{where} is a link to '{entry.LinkName}'; links are not extracted.");

            var dest = Path.GetFullPath(Path.Combine(root, Path.Combine(segments)));
            if (!dest.StartsWith(rootWithSep, StringComparison.Ordinal) && dest != root)
                throw new UnsafeArchiveException($"{where} resolves outside the target folder; refusing to extract.");

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(dest);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
                    RefuseLinkedParents(root, dest, where);
                    using (var output = new FileStream(dest, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                        entry.DataStream?.CopyTo(output);
                    files++;
                    break;
                default:
                    throw new UnsafeArchiveException($"{where} is a {entry.EntryType} entry; only files and folders are extracted.");
            }
        }
        return new Result(files, junk);
    }

    /// <summary>A folder on the way that is a symlink (planted earlier, or pre-existing) could redirect writes.</summary>
    private static void RefuseLinkedParents(string root, string dest, string where)
    {
        for (var dir = Path.GetDirectoryName(dest); dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
            if (new DirectoryInfo(dir).LinkTarget is not null)
                throw new UnsafeArchiveException($"{where} would be written through the symbolic link '{dir}'; refusing.");
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var n = file.Read(magic);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }
}
