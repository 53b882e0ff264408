using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Splits;

namespace PetSeg.Tests.Data.Splits;

/// <summary>K-fold cross-validation's folds: a partition of trainval, balanced overall and within each breed, by the files' names only.</summary>
public sealed class CrossValidationFoldsTests
{
    /// <summary>Oxford-IIIT Pet's shape: 37 breeds (some names with underscores of their own), <paramref name="perBreed"/> images each, some breeds one short.</summary>
    private static List<string> Oxford(int perBreed)
    {
        var breeds = new[] { "Abyssinian", "american_bulldog", "american_pit_bull_terrier", "basset_hound", "Bengal", "Birman", "Bombay", "boxer" }
            .Concat(Enumerable.Range(0, 29).Select(i => $"breed{i}")).ToList();
        return [.. breeds.SelectMany((b, k) => Enumerable.Range(1, perBreed - k % 3).Select(n => $"{b}_{n}"))];
    }

    [Theory]
    [InlineData(5, 100)]
    [InlineData(3, 7)]
    [InlineData(10, 4)] // fewer images in a breed than folds: a breed's shares still differ by one at most
    public void Every_image_is_in_one_fold_and_folds_and_breeds_are_balanced(int folds, int perBreed)
    {
        var stems = Oxford(perBreed);
        var of = CrossValidationFolds.Of(stems, folds);
        Assert.All(of, f => Assert.InRange(f, 1, folds));
        var sizes = Enumerable.Range(1, folds).Select(k => of.Count(f => f == k)).ToList();
        Assert.Equal(stems.Count, sizes.Sum());
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(", ", sizes));
        foreach (var breed in stems.Select((s, i) => (Breed: ValidationSplit.Breed(s), Fold: of[i])).GroupBy(x => x.Breed))
        {
            var shares = Enumerable.Range(1, folds).Select(k => breed.Count(x => x.Fold == k)).ToList();
            Assert.True(shares.Max() - shares.Min() <= 1, $"{breed.Key}: {string.Join(", ", shares)}");
        }
        // Fold k's split trains on every other fold and validates on fold k: together the K validation sides are trainval, once each.
        var validated = new List<int>();
        for (int k = 1; k <= folds; k++)
        {
            var (train, validation) = CrossValidationFolds.Split(stems, folds, k);
            Assert.Empty(train.Intersect(validation));
            Assert.Equal(Enumerable.Range(0, stems.Count), train.Concat(validation).Order());
            Assert.Equal(train.Order(), train);
            Assert.Equal(validation.Order(), validation);
            Assert.All(validation, i => Assert.Equal(k, of[i]));
            validated.AddRange(validation);
        }
        Assert.Equal(Enumerable.Range(0, stems.Count), validated.Order());
    }

    [Fact]
    public void The_same_names_in_another_order_are_in_the_same_folds_and_not_in_name_order()
    {
        var stems = Oxford(20);
        var shuffled = stems.ToList();
        new Random(5).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        Assert.NotEqual(stems, shuffled);
        var a = CrossValidationFolds.Of(stems, 5);
        var b = CrossValidationFolds.Of(shuffled, 5);
        var byName = shuffled.Select((s, i) => (s, b[i])).ToDictionary(x => x.s, x => x.Item2, StringComparer.Ordinal);
        Assert.All(stems.Select((s, i) => (s, i)), x => Assert.Equal(a[x.i], byName[x.s]));
        // Dealt in hash order within a breed, not by number: Abyssinian_1 … _5 are not simply folds 1 … 5.
        Assert.NotEqual([1, 2, 3, 4, 5], stems.Take(5).Select((_, i) => a[i]));
        // Nor the fraction's choice: fold 1 is not the images validation: 0.2 holds out.
        Assert.NotEqual(ValidationSplit.Of(stems, 0.2).Validation, CrossValidationFolds.Split(stems, 5, 1).Validation);
    }

    [Fact]
    public void By_group_each_group_is_in_one_fold_dealt_to_the_lightest()
    {
        // 6 patients of 9, 7, 3, 3, 2 and 1 slices: GroupKFold's greedy deal, largest first, into 3 folds of 9, 8 and 8.
        var sizes = new[] { ("p1", 9), ("p2", 7), ("p3", 3), ("p4", 3), ("p5", 2), ("p6", 1) };
        var stems = sizes.SelectMany(p => Enumerable.Range(1, p.Item2).Select(n => $"{p.Item1}_{n}")).ToList();
        var of = CrossValidationFolds.Of(stems, 3, byGroup: true);
        foreach (var g in stems.Select((s, i) => (Group: WholeGroups.Of(s), Fold: of[i])).GroupBy(x => x.Group))
            Assert.Single(g.Select(x => x.Fold).Distinct());
        Assert.Equal([8, 8, 9], Enumerable.Range(1, 3).Select(k => of.Count(f => f == k)).Order());
        Assert.Equal(1, of[0]); // the largest group first, into the first fold
        Assert.Equal(2, of[9]); // the next into the next
    }

    [Fact]
    public void More_folds_than_images_or_groups_is_a_clear_error()
    {
        var e = Assert.Throws<ConfigException>(() => CrossValidationFolds.Of(["a_1", "a_2", "b_1"], 4));
        Assert.Equal("folds: 4 holds out a fold of at least one image each, and the trainval split has 3 image(s): use 3 fold(s) at most", e.Message);
        e = Assert.Throws<ConfigException>(() => CrossValidationFolds.Of(["a_1", "a_2", "b_1", "b_2"], 3, byGroup: true));
        Assert.Equal("folds: 3 holds out whole groups (split_by: group), and the trainval split has 2 group(s): use 2 fold(s) at most, or split by image", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidationFolds.Of(["a_1", "a_2"], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidationFolds.Split(["a_1", "a_2"], 2, 3));
    }

    [Fact]
    public void A_cache_of_tiles_keeps_each_images_tiles_in_one_fold()
    {
        // Three tiles for each of 6 images: the folds split images, so a tile's siblings are never on the other side.
        var entries = Enumerable.Range(1, 6).SelectMany(n => Enumerable.Range(0, 3).Select(t => $"cat_{n}")).ToList();
        var set = new StemsOnly(entries);
        for (int k = 1; k <= 3; k++)
        {
            var (train, validation) = CrossValidationFolds.Apply(set, 3, k);
            Assert.Equal(18, train.Count + validation.Count);
            Assert.Equal(6, validation.Count); // two images of three tiles
            var held = Enumerable.Range(0, validation.Count).Select(i => validation.Entries[i].Stem).ToHashSet();
            Assert.DoesNotContain(Enumerable.Range(0, train.Count).Select(i => train.Entries[i].Stem), held.Contains);
        }
    }

    /// <summary>A sample set of names only: what a split reads.</summary>
    private sealed class StemsOnly(IReadOnlyList<string> stems) : ISampleSet
    {
        public int Count => stems.Count;
        public int Width => 8;
        public int Height => 8;
        public IReadOnlyList<TensorCacheEntry> Entries { get; } = [.. stems.Select((s, i) => new TensorCacheEntry(s, 8, 8, new TilePosition(0, i % 3)))];
        public ReadOnlySpan<byte> Mask(int i) => throw new NotSupportedException();
        public (TorchSharp.torch.Tensor Images, TorchSharp.torch.Tensor Masks) ReadBatch(ReadOnlySpan<int> indices) => throw new NotSupportedException();
    }
}
