using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Optim;

namespace PetSeg.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class LearningRateFinderTests(SmallCaches caches) : IClassFixture<SmallCaches>
{
    private static TrainSettings Settings => new(new ModelSpec(ModelZoo.SimpleUnet), new AdamSettings(1e-3), 3, BatchSize: 16,
        Augmentation: AugmentationSettings.Lab, Seed: 5, MaxTrainSamples: 40);

    [Fact]
    public void The_rate_grows_geometrically_and_the_suggestion_is_the_steepest_fall_of_the_smoothed_loss()
    {
        Assert.Equal(1e-8, LearningRateFinder.RateAt(0, 100, 1e-8, 1), 1e-20);
        Assert.Equal(1.0, LearningRateFinder.RateAt(99, 100, 1e-8, 1), 1e-12);
        Assert.Equal(1e-4, LearningRateFinder.RateAt(1, 3, 1e-6, 1e-2), 1e-16);

        // Flat, a fall steepest at index 31 by numpy.gradient's central difference, flat again, then a rise.
        var curve = Enumerable.Repeat(1.0, 30).Concat([0.95, 0.6, 0.5, 0.45]).Concat(Enumerable.Repeat(0.45, 10)).Concat([0.6, 2.0]).ToList();
        Assert.Equal(31, LearningRateFinder.Suggest(curve)); // (0.5 − 0.95)/2 = −0.225 beats −0.2 at 30 and −0.075 at 32
        Assert.Null(LearningRateFinder.Suggest(Enumerable.Repeat(1.0, 12).ToList())); // the first 10 and the last are skipped: one left
        Assert.Equal(10, LearningRateFinder.Suggest(Enumerable.Range(0, 14).Select(i => i < 10 ? 1.0 : 1.0 - 0.1 * (i - 9) * (i - 9)).Reverse().ToList()));
    }

    [Fact]
    public void A_range_test_trains_on_the_runs_own_batches_stops_on_divergence_and_repeats_bit_for_bit()
    {
        using var train = TensorCache.Open(caches.TrainPath);
        LearningRateSweep Sweep() => new LearningRateFinder(Settings, NullProgressSink.Instance) { MinLr = 1e-4, MaxLr = 1e3, Steps = 30 }.Run(train);
        var sweep = Sweep();
        using var dir = new TempDir();
        var trained = new Trainer(Settings with { Epochs = 1 }, dir.Path, NullProgressSink.Instance).Run(train, "d");
        trained.Model.Dispose();
        Assert.Equal(trained.BatchLosses[0][0], sweep.Losses[0]); // the first batch and model are the run's (the loss is before any update)

        Assert.InRange(sweep.Rates.Count, 3, 29); // a rate of 1e3 diverges long before the last step
        Assert.StartsWith(sweep.Rates.Count < 30 ? "the " : "all", sweep.Stopped);
        for (int i = 0; i < sweep.Rates.Count; i++) Assert.Equal(LearningRateFinder.RateAt(i, 30, 1e-4, 1e3), sweep.Rates[i]);
        double average = 0;
        for (int i = 0; i < sweep.Losses.Count; i++) // Lightning's bias-corrected smoothing
        {
            average = LearningRateFinder.Beta * average + (1 - LearningRateFinder.Beta) * sweep.Losses[i];
            Assert.Equal(average / (1 - Math.Pow(LearningRateFinder.Beta, i + 1)), sweep.Smoothed[i], 1e-12);
        }
        Assert.Equal(LearningRateFinder.Suggest(sweep.Smoothed), sweep.Suggested);

        var again = Sweep();
        Assert.Equal(sweep.Losses, again.Losses);
        Assert.Equal(sweep.Stopped, again.Stopped);
    }
}
