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
    public void Tiles_are_each_scaled_image_cut_on_its_grid_padded_black_and_ignored()
    {
        using var tmp = new TempDir();
        var ds = OxfordPetDataset.Open(data.Root, "trainval");
        var options = new PreprocessOptions(32, 32, TileScale: 0.6);
        var r = Preprocessor.Run(ds, tmp["tiles.petc"], options);
        using var cache = TensorCache.Open(r.Path);
        int slot = 0;
        foreach (var sample in ds.Samples)
        {
            var (image, mask) = OxfordPetDataset.LoadPair(sample);
            var grid = TileGrid.For(image.Width, image.Height, 0.6, 32);
            Assert.True(grid.Count > 1, $"{sample.Stem}: {image.Width}×{image.Height} makes one tile"); // the fixture's images make several
            var (scaled, scaledMask) = (Resize.Bilinear(image.Pixels, image.Width, image.Height, 3, grid.ScaledWidth, grid.ScaledHeight),
                                        Resize.Nearest(mask.Pixels, mask.Width, mask.Height, grid.ScaledWidth, grid.ScaledHeight));
            for (int t = 0; t < grid.Count; t++, slot++)
            {
                var (row, column) = grid.Position(t);
                Assert.Equal(new TensorCacheEntry(sample.Stem, image.Width, image.Height, new TilePosition(row, column)), cache.Entries[slot]);
                var chw = cache.Image(slot);
                var labels = cache.Mask(slot);
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                    {
                        int sx = column * 32 + x, sy = row * 32 + y;
                        bool inside = sx < grid.ScaledWidth && sy < grid.ScaledHeight;
                        for (int c = 0; c < 3; c++)
                            Assert.Equal(inside ? scaled[(sy * grid.ScaledWidth + sx) * 3 + c] : 0, chw[c * 32 * 32 + y * 32 + x]);
                        Assert.Equal(inside ? scaledMask[sy * grid.ScaledWidth + sx] : 255, labels[y * 32 + x]);
                    }
            }
        }
        Assert.Equal(slot, cache.Count);
        Assert.Equal(cache.Count, r.Count);

        // The bytes do not depend on the threads; the whole-image cache of the same data is another file.
        var one = Preprocessor.Run(ds, tmp["one.petc"], options with { MaxDegreeOfParallelism = 1 });
        Assert.Equal(File.ReadAllBytes(r.Path), File.ReadAllBytes(one.Path));
        Assert.NotEqual(r.Digest, Preprocessor.Run(ds, tmp["whole.petc"], new PreprocessOptions(32, 32)).Digest);
    }

    [Fact]
    public void A_validation_hold_out_of_tiles_keeps_each_images_tiles_on_one_side()
    {
        using var tmp = new TempDir();
        using var cache = TensorCache.Open(Preprocessor.Run(OxfordPetDataset.Open(data.Root, "trainval"), tmp["t.petc"], new PreprocessOptions(32, 32, TileScale: 0.6)).Path);
        var (train, validation) = PetSeg.Data.Splits.ValidationSplit.Apply(cache, 0.25);
        Assert.Equal(cache.Count, train.Count + validation.Count);
        Assert.Empty(train.Entries.Select(e => e.Stem).Intersect(validation.Entries.Select(e => e.Stem)));
        // The images held out are the ones the whole-image split holds out: the split is of images, whatever they are cut into.
        var stems = cache.Entries.Select(e => e.Stem).Distinct().ToList();
        var held = PetSeg.Data.Splits.ValidationSplit.Of(stems, 0.25).Validation.Select(i => stems[i]);
        Assert.Equal(held.Order(), validation.Entries.Select(e => e.Stem).Distinct().Order());
        Assert.Equal(cache.Entries.Where(e => held.Contains(e.Stem)), validation.Entries);
        Assert.Matches(@"^\d+ tiles of 3 images$", SampleCount.Of(validation));
        using var whole = TensorCache.Open(Preprocessor.Run(OxfordPetDataset.Open(data.Root, "trainval"), tmp["w.petc"], Size48).Path);
        Assert.Equal("12 images", SampleCount.Of(whole));
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
