using PetSeg.IO;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.IO;

/// <summary>A write that fails says which file could not be written (not the temp file .NET names) and leaves nothing.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void A_failed_write_names_the_file_asked_for_and_leaves_no_temp_file()
    {
        using var dir = new TempDir();
        // A full disk, as .NET reports it on Linux (ENOSPC, 28, as the HResult; the message names the temp file being
        // written): the file asked for, and how much is free once the temp file is gone.
        var target = dir["mask.png"];
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(target, fs => throw new IOException($"No space left on device : '{fs.Name}'", 28)));
        Assert.Matches($@"^cannot write {System.Text.RegularExpressions.Regex.Escape(target)}: No space left on device \(\d+(\.\d)? [kMG]B free there\)$", e.Message);
        Assert.True(DiskSpace.IsFull(e));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        // Another failure keeps .NET's words, without the temp file's name.
        e = Assert.Throws<IOException>(() => AtomicFile.Write(target, fs => throw new IOException($"Input/output error : '{fs.Name}'", 5)));
        Assert.Equal($"cannot write {target}: Input/output error", e.Message);

        // A folder that is a file, however deep below it: named (it was .NET's "The file '…' already exists.").
        File.WriteAllText(dir["masks"], "a file, not a folder");
        e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir["masks/a.png"], "x"));
        Assert.Equal($"cannot write {dir["masks/a.png"]}: {dir["masks"]} is a file, not a folder", e.Message);
        e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir["masks/dog/a.png"], "x"));
        Assert.Equal($"cannot write {dir["masks/dog/a.png"]}: {dir["masks"]} is a file, not a folder", e.Message);
        Assert.Null(AtomicFile.FileInTheWay(dir["fine/a.png"]));
        Assert.Equal([dir["masks"]], Directory.GetFileSystemEntries(dir.Path));
    }
}
