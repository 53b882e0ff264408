using PetSeg.Compute;
using PetSeg.Tests.Support;
using static TorchSharp.torch;
using PetSeg.Models.Layers;
using PetSeg.Models.Hooks;

namespace PetSeg.Tests.Models.Layers;

/// <summary>The packed-bits dropout is a dropout: the right drop rate, independent decisions, unbiased, reproducible.</summary>
[Collection(TorchGlobalState.Name)]
public sealed class PackedBitsDropoutTests
{
    private const long N = 1_000_003; // not a multiple of 4: the last word is cut

    [Fact]
    public void Drops_at_the_realised_rate_with_independent_lanes_and_keeps_the_expectation()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        var x = ones(N);
        var y = PackedBitsDropout.Apply(x, 0.1, training: true);
        double realised = 3277.0 / 32768; // round(0.1 · 2^15) / 2^15
        var dropped = y.eq(Scalars.Of(0L));
        double rate = dropped.to(ScalarType.Float64).mean().item<double>();
        double sd = Math.Sqrt(realised * (1 - realised) / N);
        Assert.InRange(rate, realised - 5 * sd, realised + 5 * sd);
        // Survivors carry exactly 1 / (1 - realised), so the mean stays 1.
        var kept = y.masked_select(dropped.logical_not());
        Assert.True(kept.allclose(full_like(kept, Scalars.Of(1 / (1 - realised))), rtol: 1e-6, atol: 0));
        Assert.InRange(y.to(ScalarType.Float64).mean().item<double>(), 1 - 5 * sd * 1.12, 1 + 5 * sd * 1.12);
        // Lanes of one word are elements i and i + ⌈N/4⌉: both dropped about p² of the time (not p, as if copied).
        long w = (N + 3) / 4;
        double both = dropped.narrow(0, 0, w).logical_and(dropped.narrow(0, w, w)).to(ScalarType.Float64).mean().item<double>();
        double sdBoth = Math.Sqrt(realised * realised * (1 - realised * realised) / w);
        Assert.InRange(both, realised * realised - 5 * sdBoth, realised * realised + 5 * sdBoth);
        // Neighbouring words are independent too.
        double next = dropped.narrow(0, 0, w - 1).logical_and(dropped.narrow(0, 1, w - 1)).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(next, realised * realised - 5 * sdBoth, realised * realised + 5 * sdBoth);
    }

    [Fact]
    public void The_same_seed_gives_the_same_mask_and_the_gradient_is_the_mask()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var a = PackedBitsDropout.Apply(ones(4, 3, 7, 5), 0.5, training: true);
        random.manual_seed(5);
        var x = ones(4, 3, 7, 5, requires_grad: true);
        var b = PackedBitsDropout.Apply(x, 0.5, training: true);
        Assert.True(a.equal(b).all().item<bool>());
        Assert.True(a.ne(Scalars.Of(0L)).any().item<bool>() && a.eq(Scalars.Of(0L)).any().item<bool>());
        b.sum().backward();
        Assert.True(x.grad!.equal(b.detach()).all().item<bool>()); // d(x·m)/dx = m, and x = 1
    }

    [Fact]
    public void Eval_mode_and_zero_probability_pass_the_input_through_and_one_drops_everything()
    {
        using var scope = NewDisposeScope();
        var x = randn(30, 50);
        Assert.True(PackedBitsDropout.Apply(x, 0.1, training: false).equal(x).all().item<bool>());
        Assert.True(PackedBitsDropout.Apply(x, 0, training: true).equal(x).all().item<bool>());
        Assert.True(PackedBitsDropout.Apply(x, 1, training: true).eq(Scalars.Of(0L)).all().item<bool>());
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedBitsDropout.Apply(x, 1.5, training: true));

        var model = nn.Sequential(nn.Identity(), new PackedBitsDropout(0.3));
        model.eval();
        Assert.True(model.call(x).equal(x).all().item<bool>());
        model.train();
        Assert.False(model.call(x).equal(x).all().item<bool>());
        Assert.Equal(1, StochasticLayers.DisableAll(model)); // parity tests switch it off like nn.Dropout
        Assert.True(model.call(x).equal(x).all().item<bool>());
    }
}
