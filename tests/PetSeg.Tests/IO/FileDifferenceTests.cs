using PetSeg.IO;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.IO;

/// <summary>
/// What <c>run --check</c> says of an output that differs and has no reading of its own: a file's first differing byte
/// (across the 64 KiB reads, and where one file is the other's beginning), a folder's differing files and those in one only.
/// </summary>
public sealed class FileDifferenceTests
{
    [Fact]
    public void A_file_is_told_by_its_first_differing_byte_and_a_folder_by_its_files()
    {
        using var dir = new TempDir();
        var bytes = new byte[200_000];
        new Random(5).NextBytes(bytes);
        string Write(string name, byte[] content)
        {
            var path = dir[name];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            return path;
        }
        var a = Write("a.bin", bytes);
        Assert.Null(FileDifference.Describe(a, Write("same.bin", bytes)));
        Assert.Null(FileDifference.FirstDifference(a, dir["same.bin"]));
        var changed = (byte[])bytes.Clone();
        changed[150_001] ^= 1; // in the third 64 KiB read
        Assert.Equal("the bytes first differ at offset 150,001 (200,000 bytes)", FileDifference.Describe(a, Write("b.bin", changed)));
        Assert.Equal("the new one is the first 100,000 bytes of the stored file (200,000 bytes stored, 100,000 now)", FileDifference.Describe(a, Write("short.bin", bytes[..100_000])));
        Assert.Equal("the stored one is the first 100,000 bytes of the new file (100,000 bytes stored, 200,000 now)", FileDifference.Describe(dir["short.bin"], a));
        Assert.Equal(100_000, FileDifference.FirstDifference(dir["short.bin"], a));
        Assert.Equal("the new one is empty (200,000 bytes stored, 0 now)", FileDifference.Describe(a, Write("empty.bin", [])));

        // Folders: 7 files each; 6 of them shared, of which 2 differ; one only in each.
        for (int i = 0; i < 6; i++)
        {
            Write($"stored/images/{i}.jpg", [(byte)i, 1, 2]);
            Write($"now/images/{i}.jpg", [(byte)i, 1, (byte)(i is 2 or 4 ? 9 : 2)]);
        }
        Write("stored/annotations/list.txt", [1]);
        Write("now/annotations/trainval.txt", [1]);
        Assert.Equal("2 of 7 file(s) differ (images/2.jpg, images/4.jpg); 1 only in the stored result (annotations/list.txt); 1 only computed now (annotations/trainval.txt)",
            FileDifference.Describe(dir["stored"], dir["now"]));
        Assert.Null(FileDifference.Describe(dir["stored/images"], dir["stored/images"]));
        for (int i = 0; i < 6; i++) Write($"now/images/{i}.jpg", [0]);
        Assert.StartsWith("6 of 7 file(s) differ (images/0.jpg, images/1.jpg, images/2.jpg, images/3.jpg, images/4.jpg, … 1 more);", FileDifference.Describe(dir["stored"], dir["now"]));
        Assert.Null(FileDifference.Describe(a, dir["stored"])); // a file against a folder: nothing to say but that they differ
    }
}
