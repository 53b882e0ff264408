using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Imaging;
using PetSeg.Tests.Support;
using TorchSharp;

namespace PetSeg.Tests.Data.Cache;

public sealed class PreprocessTests(SyntheticDataFixture data) : IClassFixture<SyntheticDataFixture>
{
    private static readonly PreprocessOptions Size48 = new(40, 48);

    [Fact]
    public void Cache_equals_direct_decode_and_resize_pixel_for_pixel()
    {
        using var tmp = new TempDir();
        var ds = OxfordPetDataset.Open(data.Root, "trainval");
        var r = Preprocessor.Run(ds, tmp["trainval.petc"], Size48);
        Assert.Equal(ds.Samples.Count, r.Count);
        using var cache = TensorCache.Open(r.Path);
        Assert.Equal((12, 40, 48), (cache.Count, cache.Height, cache.Width));
        for (int i = 0; i < cache.Count; i++)
        {
            var (image, mask) = OxfordPetDataset.LoadPair(ds.Samples[i]);
            Assert.Equal(ds.Samples[i].Stem, cache.Entries[i].Stem);
            Assert.Equal((image.Width, image.Height), (cache.Entries[i].SourceWidth, cache.Entries[i].SourceHeight));
            var hwc = Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, 48, 40);
            var chw = cache.Image(i);
            for (int p = 0; p < 48 * 40; p++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(hwc[3 * p + c], chw[c * 48 * 40 + p]);
            Assert.Equal(Resize.Nearest(mask.Pixels, mask.Width, mask.Height, 48, 40), cache.Mask(i).ToArray());
        }
    }

    [Fact]
    public void Digest_is_stable_across_runs_and_thread_counts()
    {
        using var tmp = new TempDir();
        var ds = OxfordPetDataset.Open(data.Root, "test");
        var a = Preprocessor.Run(ds, tmp["a.petc"], Size48 with { MaxDegreeOfParallelism = 1 });
        var b = Preprocessor.Run(ds, tmp["b.petc"], Size48 with { MaxDegreeOfParallelism = 2 });
        Assert.StartsWith("xxh128:", a.Digest);
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(File.ReadAllBytes(a.Path), File.ReadAllBytes(b.Path));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void A_batch_is_read_in_the_requested_order()
    {
        using var tmp = new TempDir();
        var r = Preprocessor.Run(OxfordPetDataset.Open(data.Root, "trainval"), tmp["t.petc"], Size48);
        using var cache = TensorCache.Open(r.Path);
        using var scope = torch.NewDisposeScope();
        var (images, masks) = cache.ReadBatch([5, 0, 5]);
        Assert.Equal(new long[] { 3, 3, 40, 48 }, images.shape);
        Assert.Equal(new long[] { 3, 40, 48 }, masks.shape);
        Assert.Equal(torch.ScalarType.Byte, images.dtype);
        Assert.Equal(cache.Image(5).ToArray(), images[0].bytes.ToArray());
        Assert.Equal(cache.Image(0).ToArray(), images[1].contiguous().bytes.ToArray());
        Assert.Equal(cache.Mask(5).ToArray(), masks[2].contiguous().bytes.ToArray());
    }

    [Fact]
    public void A_validation_hold_out_reads_its_own_samples_and_training_the_others()
    {
        using var tmp = new TempDir();
        using var cache = TensorCache.Open(Preprocessor.Run(OxfordPetDataset.Open(data.Root, "trainval"), tmp["t.petc"], Size48).Path);
        var (train, validation) = PetSeg.Data.Splits.ValidationSplit.Apply(cache, 0.25);
        Assert.Equal((9, 3), (train.Count, validation.Count));
        Assert.Equal((48, 40), (validation.Width, validation.Height));
        Assert.Empty(train.Entries.Select(e => e.Stem).Intersect(validation.Entries.Select(e => e.Stem)));
        var held = PetSeg.Data.Splits.ValidationSplit.Of([.. cache.Entries.Select(e => e.Stem)], 0.25).Validation;
        using var scope = torch.NewDisposeScope();
        var (images, masks) = validation.ReadBatch([2, 0]);
        Assert.Equal(cache.Image(held[2]).ToArray(), images[0].contiguous().bytes.ToArray());
        Assert.Equal(cache.Mask(held[0]).ToArray(), masks[1].contiguous().bytes.ToArray());
        Assert.Equal(cache.Entries[held[2]], validation.Entries[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SampleSubset(cache, [0, 12]));
    }

    [Fact]
    public void A_corrupted_or_truncated_cache_is_detected()
    {
        using var tmp = new TempDir();
        var r = Preprocessor.Run(OxfordPetDataset.Open(data.Root, "test"), tmp["c.petc"], Size48);
        var bytes = File.ReadAllBytes(r.Path);
        bytes[TensorCacheHeader.Alignment + 1000] ^= 0xFF;
        File.WriteAllBytes(r.Path, bytes);
        var e = Assert.Throws<TensorCacheException>(() => TensorCache.Open(r.Path));
        Assert.Contains("corrupt", e.Message);

        File.WriteAllBytes(r.Path, bytes[..^10]);
        e = Assert.Throws<TensorCacheException>(() => TensorCache.Open(r.Path));
        Assert.Contains("Preprocess", e.Message);
    }

    [Fact]
    public void Undecodable_images_fail_the_split_with_their_names_unless_skipped()
    {
        using var tmp = new TempDir();
        var root = data.CopyTo(tmp["pets"]);
        File.WriteAllBytes(Path.Combine(root, "images", "beagle_1.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
        File.WriteAllText(Path.Combine(root, "images", "samoyed_1.jpg"), "not an image");
        var ds = OxfordPetDataset.Open(root, "test");
        var e = Assert.Throws<DatasetException>(() => Preprocessor.Run(ds, tmp["x.petc"], Size48));
        Assert.Contains("2 sample(s)", e.Message);
        Assert.Contains("beagle_1.jpg", e.Message);
        Assert.Contains("samoyed_1.jpg", e.Message);
        Assert.False(File.Exists(tmp["x.petc"]));

        var r = Preprocessor.Run(ds, tmp["x.petc"], Size48 with { SkipBadSamples = true });
        Assert.Equal(10, r.Count);
        Assert.Equal(2, r.Skipped.Count);
        using var cache = TensorCache.Open(r.Path);
        Assert.DoesNotContain(cache.Entries, en => en.Stem is "beagle_1" or "samoyed_1");
    }
}
