using PetSeg.IO;
using PetSeg.Workflow.Store;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Workflow.Store;

public sealed class DigestCacheTests
{
    [Fact]
    public void Digests_are_memoised_by_path_size_and_mtime_across_instances()
    {
        using var dir = new TempDir();
        var file = dir["big.bin"];
        File.WriteAllBytes(file, [1, 2, 3, 4]);
        var stamp = File.GetLastWriteTimeUtc(file);
        var memo = new DigestCache(dir["memo.json"]);
        var first = memo.Of(file);
        memo.Save();
        Assert.Equal(Digest.OfFile(file), first);

        // Same size and mtime: the memo answers without reading (so it still gives the old digest).
        File.WriteAllBytes(file, [9, 9, 9, 9]);
        File.SetLastWriteTimeUtc(file, stamp);
        Assert.Equal(first, new DigestCache(dir["memo.json"]).Of(file));

        // A new mtime is noticed and the file is hashed again.
        File.SetLastWriteTimeUtc(file, stamp.AddSeconds(5));
        Assert.Equal(Digest.OfFile(file), new DigestCache(dir["memo.json"]).Of(file));
        Assert.NotEqual(first, Digest.OfFile(file));
    }

    [Fact]
    public void The_memo_never_brings_back_a_store_deleted_meanwhile_nor_fails_on_one_it_cannot_write()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir["input.bin"], [1, 2, 3]);
        var memo = new DigestCache(dir["workspace/out/store/digests.json"]);
        Directory.CreateDirectory(dir["workspace/out/store"]);
        memo.Of(dir["input.bin"]);
        Directory.Delete(dir["workspace"], recursive: true); // the workspace removed while the command ran
        memo.Save();
        Assert.False(Directory.Exists(dir["workspace"]));

        // A memo path the file system refuses (here a folder in its way): the memo is skipped, the command goes on.
        Directory.CreateDirectory(dir["store/digests.json"]);
        var blocked = new DigestCache(dir["store/digests.json"]);
        blocked.Of(dir["input.bin"]);
        blocked.Save();
        Assert.True(Directory.Exists(dir["store/digests.json"]));
    }
}
