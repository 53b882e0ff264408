using PetSeg.Workflow.Graph;

namespace PetSeg.Tests.Workflow.Graph;

public sealed class StageKeyTests
{
    private static string Key(Dictionary<string, string> p, Dictionary<string, string>? i = null) => StageKey.Compute("train", "train-1", p, i ?? []);

    [Fact]
    public void Order_of_parameters_does_not_matter_but_every_value_does()
    {
        var a = Key(new() { ["lr"] = "0.001", ["epochs"] = "5" });
        Assert.Equal(a, Key(new() { ["epochs"] = "5", ["lr"] = "0.001" }));
        Assert.NotEqual(a, Key(new() { ["lr"] = "0.002", ["epochs"] = "5" }));
        Assert.NotEqual(a, StageKey.Compute("train", "train-2", new Dictionary<string, string> { ["lr"] = "0.001", ["epochs"] = "5" }, new Dictionary<string, string>()));
        Assert.NotEqual(a, Key(new() { ["lr"] = "0.001", ["epochs"] = "5" }, new() { ["preprocess/trainval.petc"] = "xxh128:00" }));
    }

    [Fact]
    public void Fields_are_length_prefixed_so_boundaries_cannot_shift()
    {
        Assert.NotEqual(Key(new() { ["ab"] = "c" }), Key(new() { ["a"] = "bc" }));
        Assert.NotEqual(Key(new() { ["a"] = "" }, new() { ["b"] = "" }), Key(new() { ["a"] = "" , ["b"] = "" }));
    }
}
