using System.Formats.Tar;
using System.IO.Compression;
using PetSeg.Data.Archives;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Data.Archives;

public sealed class SafeTarExtractorTests : IDisposable
{
    private readonly TempDir _dir = new();

    private string Archive(bool gzip, params TarEntry[] entries)
    {
        var path = _dir[$"a{Guid.NewGuid():N}.tar.gz"];
        using var fs = File.Create(path);
        using Stream s = gzip ? new GZipStream(fs, CompressionLevel.Fastest) : fs;
        using var tar = new TarWriter(s, TarEntryFormat.Pax);
        foreach (var e in entries) tar.WriteEntry(e);
        return path;
    }

    private static PaxTarEntry FileEntry(string name, string text = "x") =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // "tar.gz" that is really a plain tar: sniffed, not trusted from the suffix
    public void Extracts_files_and_skips_appledouble_junk(bool gzip)
    {
        var a = Archive(gzip, new PaxTarEntry(TarEntryType.Directory, "annotations/"), FileEntry("annotations/list.txt", "hello"),
                        FileEntry("annotations/._list.txt"), FileEntry("annotations/._trimaps/x.png"));
        var r = SafeTarExtractor.Extract(a, _dir["out"]);
        Assert.Equal(1, r.Files);
        Assert.Equal(2, r.SkippedJunk);
        Assert.Equal("hello", File.ReadAllText(_dir["out/annotations/list.txt"]));
        Assert.False(File.Exists(_dir["out/annotations/._list.txt"]));
    }

    [Theory]
    [InlineData("../evil.txt", "'..'")]
    [InlineData("images/../../evil.txt", "'..'")]
    [InlineData("/tmp/petseg-evil.txt", "absolute")]
    public void Refuses_paths_that_leave_the_target(string name, string reason)
    {
        var a = Archive(true, FileEntry("images/ok.jpg"), FileEntry(name));
        var e = Assert.Throws<UnsafeArchiveException>(() => SafeTarExtractor.Extract(a, _dir["out"]));
        Assert.Contains(name, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.False(File.Exists(_dir["evil.txt"]));
        Assert.False(File.Exists("/tmp/petseg-evil.txt"));
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    public void Refuses_links(TarEntryType type)
    {
        var a = Archive(true, new PaxTarEntry(type, "images/link") { LinkName = "/etc/passwd" }, FileEntry("images/link", "overwrite"));
        var e = Assert.Throws<UnsafeArchiveException>(() => SafeTarExtractor.Extract(a, _dir["out"]));
        Assert.Contains("link", e.Message);
        Assert.False(File.Exists(_dir["out/images/link"]));
    }

    [Fact]
    public void Refuses_to_write_through_a_symlinked_folder()
    {
        Directory.CreateDirectory(_dir["out"]);
        Directory.CreateDirectory(_dir["elsewhere"]);
        Directory.CreateSymbolicLink(_dir["out/images"], _dir["elsewhere"]);
        var a = Archive(true, FileEntry("images/x.jpg"));
        Assert.Throws<UnsafeArchiveException>(() => SafeTarExtractor.Extract(a, _dir["out"]));
        Assert.Empty(Directory.GetFiles(_dir["elsewhere"]));
    }

    public void Dispose() => _dir.Dispose();
}
