using PetSeg.Data.Splits;

namespace PetSeg.Tests.Data.Splits;

/// <summary>The validation hold-out: its size, its spread over breeds, and that it depends on the files' names only.</summary>
public sealed class ValidationSplitTests
{
    /// <summary>Oxford-IIIT Pet's shape: 37 breeds (some names with underscores of their own), ~100 trainval images each.</summary>
    private static List<string> Oxford(int perBreed = 100)
    {
        var breeds = new[] { "Abyssinian", "american_bulldog", "american_pit_bull_terrier", "basset_hound", "Bengal", "Birman", "Bombay", "boxer" }
            .Concat(Enumerable.Range(0, 29).Select(i => $"breed{i}"));
        return [.. breeds.SelectMany(b => Enumerable.Range(1, perBreed).Select(n => $"{b}_{n}"))];
    }

    [Fact]
    public void A_tenth_of_oxford_is_held_out_ten_from_each_breed_and_the_rest_trains()
    {
        var stems = Oxford();
        var (train, validation) = ValidationSplit.Of(stems, 0.1);
        Assert.Equal(370, validation.Length);
        Assert.Equal(3330, train.Length);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, stems.Count), train.Concat(validation).Order());
        Assert.Equal(train.Order(), train);          // ascending: the trainer's shuffle sees the same list whatever the hash order
        Assert.Equal(validation.Order(), validation);
        Assert.All(validation.GroupBy(i => ValidationSplit.Breed(stems[i])), g => Assert.Equal(10, g.Count()));
        Assert.Equal(37, validation.Select(i => ValidationSplit.Breed(stems[i])).Distinct().Count());
        // Not simply the first images of each breed.
        Assert.NotEqual(Enumerable.Range(1, 10).Select(n => $"Abyssinian_{n}"), validation.Select(i => stems[i]).Where(s => s.StartsWith("Abyssinian_", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_same_names_in_another_order_hold_out_the_same_images()
    {
        var stems = Oxford(20);
        var shuffled = stems.ToList();
        new Random(5).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        Assert.NotEqual(stems, shuffled);
        var a = ValidationSplit.Of(stems, 0.15).Validation.Select(i => stems[i]).Order(StringComparer.Ordinal);
        var b = ValidationSplit.Of(shuffled, 0.15).Validation.Select(i => shuffled[i]).Order(StringComparer.Ordinal);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData(0.1, 37 * 7, 26)]   // round(25.9): 7 per breed, shares of 0.7, the remainder by largest share then hash
    [InlineData(0.25, 8, 2)]
    [InlineData(0.01, 8, 1)]        // asked for: at least one
    [InlineData(0.5, 3, 2)]         // round half away from zero, but one is left to train
    [InlineData(0.0, 100, 0)]
    public void The_held_out_count_is_the_fraction_rounded(double fraction, int n, int expected)
    {
        var stems = Enumerable.Range(0, n).Select(i => $"breed{i % 37}_{i}").ToList(); // up to 37 breeds, as Oxford-IIIT Pet
        var (train, validation) = ValidationSplit.Of(stems, fraction);
        Assert.Equal(expected, validation.Length);
        Assert.Equal(n - expected, train.Length);
    }

    [Fact]
    public void Names_without_a_breed_are_held_out_by_hash_not_alphabetically()
    {
        var stems = Enumerable.Range(0, 26).Select(i => ((char)('a' + i)).ToString()).ToList();
        var held = ValidationSplit.Of(stems, 0.2).Validation;
        Assert.Equal(5, held.Length);
        Assert.NotEqual([0, 1, 2, 3, 4], held);
        Assert.Equal(held, ValidationSplit.Of(stems, 0.2).Validation); // and the same every time
    }

    [Theory]
    [InlineData("american_pit_bull_terrier_12", "american_pit_bull_terrier")]
    [InlineData("Abyssinian_1", "Abyssinian")]
    [InlineData("scan_7b", "scan_7b")]
    [InlineData("photo", "photo")]
    [InlineData("_3", "_3")]
    public void A_breed_is_the_stem_before_its_number(string stem, string breed) => Assert.Equal(breed, ValidationSplit.Breed(stem));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0.6)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_zero_to_a_half_is_refused(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Of(["a_1", "a_2"], fraction));

    [Fact]
    public void By_group_whole_groups_are_held_out_near_the_share_and_one_group_is_refused()
    {
        // Ten patients of 2–6 slices each, 40 slices: a tenth held out is 4 slices, of whole patients only.
        var names = Enumerable.Range(1, 10).SelectMany(p => Enumerable.Range(1, 2 + p % 5).Select(s => $"patient{p}_{s}")).ToList();
        var (train, validation) = ValidationSplit.Of(names, 0.1, byGroup: true);
        Assert.Equal(names.Count, train.Length + validation.Length);
        var held = validation.Select(i => WholeGroups.Of(names[i])).ToHashSet();
        Assert.False(train.Any(i => held.Contains(WholeGroups.Of(names[i]))), "a patient on both sides");
        Assert.InRange(validation.Length, 2, 6);
        Assert.Equal(validation, ValidationSplit.Of([.. names.AsEnumerable().Reverse()], 0.1, byGroup: true).Validation
            .Select(i => names.Count - 1 - i).Order()); // by name, not by order
        Assert.NotEqual(ValidationSplit.Of(names, 0.1).Validation, validation); // by image, a patient's slices are spread

        var e = Assert.Throws<PetSeg.Core.ConfigException>(() => ValidationSplit.Of(["cat_1", "cat_2", "cat_3"], 0.3, byGroup: true));
        Assert.Contains("the trainval split has one group ('cat')", e.Message);
    }
}
