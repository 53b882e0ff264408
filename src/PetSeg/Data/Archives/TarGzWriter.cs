using System.Formats.Tar;
using System.IO.Compression;

namespace PetSeg.Data.Archives;

/// <summary>Packs a folder's subtree into a .tar.gz with deterministic member order and timestamps.</summary>
public static class TarGzWriter
{
    private static readonly DateTimeOffset FixedTime = new(2012, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <param name="baseDir">Folder the member names are relative to.</param>
    /// <param name="topFolder">Subfolder of <paramref name="baseDir"/> to pack (e.g. "images").</param>
    public static void Write(string archivePath, string baseDir, string topFolder)
    {
        IO.AtomicFile.Write(archivePath, fs =>
        {
            using var gz = new GZipStream(fs, CompressionLevel.Fastest, leaveOpen: true);
            using var tar = new TarWriter(gz, TarEntryFormat.Ustar, leaveOpen: true);
            var top = Path.Combine(baseDir, topFolder);
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, topFolder + "/") { ModificationTime = FixedTime });
            foreach (var path in Directory.EnumerateFileSystemEntries(top, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var rel = Path.GetRelativePath(baseDir, path).Replace('\\', '/');
                if (Directory.Exists(path))
                {
                    tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, rel + "/") { ModificationTime = FixedTime });
                    continue;
                }
                using var data = File.OpenRead(path);
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, rel) { ModificationTime = FixedTime, DataStream = data });
            }
        });
    }
}
