using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Data.Cache;

/// <summary>
/// <c>run preprocess --check</c> tells a cache that differs by sample: which images and masks, in how many values and by
/// how much; another shape or sample order is said as such, and equal caches (or a file that is no cache) say nothing.
/// </summary>
public sealed class TensorCacheDifferenceTests
{
    [Fact]
    public void Two_caches_are_compared_sample_by_sample()
    {
        using var dir = new TempDir();
        var root = dir["pets"];
        SyntheticPetGenerator.WriteLayout(root, new SyntheticPetOptions { Count = 12, Seed = 4, MinWidth = 40, MaxWidth = 60, MinHeight = 40, MaxHeight = 60, Quirks = false });
        string Cache(string name, int size = 24) => Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), dir[name], new PreprocessOptions(size, size)).Path;
        var stored = Cache("stored.petc");
        Assert.Null(TensorCacheDifference.Describe(stored, Cache("same.petc")));

        // One pet's photo and another's trimap replaced by other pets' (another picture, another size).
        var samples = OxfordPetDataset.Open(root, "trainval").Samples;
        var (photo, trimap) = (samples[1], samples[3]);
        File.Copy(samples[0].ImagePath, photo.ImagePath, overwrite: true);
        File.Copy(samples[2].MaskPath, trimap.MaskPath, overwrite: true);
        var told = TensorCacheDifference.Describe(stored, Cache("now.petc"));
        Assert.Matches($@"^1 of {samples.Count} images differ \({photo.Stem}: [\d,]+ value\(s\), by at most \d+\); 1 of {samples.Count} masks differ \({trimap.Stem}: [\d,]+ value\(s\), by at most \d+\)$", told);

        Assert.Equal($"{samples.Count} samples of 3×24×24 stored, {samples.Count} samples of 3×16×16 now", TensorCacheDifference.Describe(stored, Cache("small.petc", 16)));
        File.WriteAllText(dir["not-a-cache.petc"], "no");
        Assert.Null(TensorCacheDifference.Describe(stored, dir["not-a-cache.petc"]));
    }
}
