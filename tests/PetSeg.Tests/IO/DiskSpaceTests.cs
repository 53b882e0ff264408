using PetSeg.Data.Download;
using PetSeg.IO;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.IO;

/// <summary>
/// Telling a full disk from other write failures (on a real full device: Linux's <c>/dev/full</c> answers every write
/// with ENOSPC), measuring free space where a folder will be, and refusing work that cannot fit. The program's behaviour
/// on a small real file system is in <c>Cli/FullDiskTests</c>.
/// </summary>
public sealed class DiskSpaceTests : IDisposable
{
    private readonly TempDir _dir = new();

    private static IOException WriteToFullDevice()
    {
        try
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[1 << 16]);
            full.Flush();
        }
        catch (IOException e) { return e; }
        throw new InvalidOperationException("/dev/full took a write");
    }

    [Fact]
    public void A_write_to_a_full_device_is_a_full_disk_also_inside_another_error_and_other_failures_are_not()
    {
        var full = WriteToFullDevice();
        Assert.True(DiskSpace.IsFull(full), $"{full.HResult}: {full.Message}");
        Assert.True(DiskSpace.IsFull(new DownloadException("images.tar.gz: …", full)));
        Assert.True(DiskSpace.IsFull(new NotEnoughDiskSpaceException("/x", 2, 1, "the training")));
        Assert.False(DiskSpace.IsFull(Record.Exception(() => File.ReadAllBytes(_dir["missing"]))));
        Assert.False(DiskSpace.IsFull(new IOException("a network drive went away", 5)));
        Assert.False(DiskSpace.IsFull(new InvalidDataException("not an archive")));
        Assert.False(DiskSpace.IsFull(null));
    }

    [Fact]
    public void Free_space_is_measured_where_a_folder_will_be_and_work_that_cannot_fit_is_refused_with_the_figures()
    {
        var free = DiskSpace.FreeBytes(_dir.Path);
        Assert.NotNull(free);
        Assert.True(free > 0);
        // A folder not created yet is on its nearest existing parent's disk (other tests write meanwhile: within 1 GB).
        Assert.InRange(DiskSpace.FreeBytes(_dir["not/yet/there"])!.Value, free.Value - 1_000_000_000, free.Value + 1_000_000_000);
        Assert.False(Directory.Exists(_dir["not"]));

        DiskSpace.Ensure(_dir.Path, 1, "a small write"); // fits: nothing happens
        DiskSpace.Ensure(_dir.Path, 0, "nothing");
        var e = Assert.Throws<NotEnoughDiskSpaceException>(() => DiskSpace.Ensure(_dir["runs/abc"], free.Value + 1_000_000_000_000, "the training", "its checkpoints"));
        Assert.Matches($@"^the training needs about 1\d\d\d GB free on the disk holding {System.Text.RegularExpressions.Regex.Escape(_dir["runs/abc"])}, which has \d+(\.\d)? [kMG]B \(its checkpoints\)$", e.Message);
        Assert.Equal(_dir["runs/abc"], e.Path);
        Assert.True(e.Needed > e.Free);
    }

    [Theory]
    [InlineData(1_500, "1.5 kB")]
    [InlineData(119_000, "119 kB")]
    [InlineData(2_140_000, "2.1 MB")]
    [InlineData(293_601_280, "294 MB")]
    [InlineData(1_234_567_890, "1.2 GB")]
    [InlineData(48_276_705_280, "48 GB")]
    public void Sizes_read_as_df_H_writes_them(long bytes, string text) => Assert.Equal(text, DiskSpace.Size(bytes));

    public void Dispose() => _dir.Dispose();
}
