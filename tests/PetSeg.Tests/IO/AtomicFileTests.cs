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
        // A full disk, as the operating system reports it: .NET's message names the temp file being written.
        var target = dir["mask.png"];
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(target, fs => throw new IOException($"No space left on device : '{fs.Name}'")));
        Assert.StartsWith($"cannot write {target}: No space left on device : 'its temporary file'", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        // A folder that is a file.
        File.WriteAllText(dir["masks"], "a file, not a folder");
        e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir["masks/a.png"], "x"));
        Assert.StartsWith($"cannot write {dir["masks/a.png"]}:", e.Message);
        Assert.Equal([dir["masks"]], Directory.GetFileSystemEntries(dir.Path));
    }
}
