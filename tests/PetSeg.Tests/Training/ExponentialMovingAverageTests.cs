using PetSeg.Models.Layers;
using PetSeg.Compute;
using PetSeg.Tests.Support;
using PetSeg.Training;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class ExponentialMovingAverageTests
{
    private static nn.Module<Tensor, Tensor> Small() => nn.Sequential(nn.Conv2d(3, 4, 3), new TrackedBatchNorm2d(4));

    [Fact]
    public void The_average_follows_the_warmed_up_decay_and_leaves_the_trained_model_alone()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var trained = Small();
        using var average = Small();
        var initial = trained.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(ScalarType.Float64).clone());
        var ema = new ExponentialMovingAverage(trained, average, decay: 0.999);
        Assert.All(average.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(average.training);

        // The trained weights jump to w and stay there: after n updates the average is w + (a0 − w)·Π d_k, with
        // d_k = min(0.999, k/(9 + k)) for the k-th update (TensorFlow's warm-up), whatever the path to it.
        using (no_grad())
            foreach (var (_, t) in trained.state_dict())
                if (t.is_floating_point()) t.copy_(t.mul(Scalars.Of(2.0)).add_(Scalars.Of(1.0), Scalars.One));
                else t.fill_(Scalars.Of(7L)); // BatchNorm's batch count: copied, not averaged
        var target = trained.state_dict().ToDictionary(p => p.Key, p => p.Value.to_type(ScalarType.Float64).clone());
        for (int step = 1; step <= 3; step++) ema.Update(step);
        double remaining = 1.0 / 10 * (2.0 / 11) * (3.0 / 12);
        foreach (var (name, t) in average.state_dict())
        {
            if (!t.is_floating_point()) { Assert.Equal(7L, t.item<long>()); continue; }
            var expected = target[name].Plus(initial[name].Minus(target[name]).mul(Scalars.Of(remaining)));
            Assert.True(allclose(t.to_type(ScalarType.Float64), expected, rtol: 1e-6, atol: 1e-6), name);
            Assert.False(allclose(t.to_type(ScalarType.Float64), target[name]), name); // not simply the trained weights
        }
        foreach (var (name, t) in trained.state_dict()) Assert.True(t.to_type(ScalarType.Float64).eq(target[name]).all().item<bool>(), name);

        Assert.Equal((0.1, 2.0 / 11, 0.5, 0.999), (ExponentialMovingAverage.DecayAfter(0.999, 0), ExponentialMovingAverage.DecayAfter(0.999, 1),
            ExponentialMovingAverage.DecayAfter(0.5, 100), ExponentialMovingAverage.DecayAfter(0.999, 1_000_000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(trained, average, 1));
    }
}
