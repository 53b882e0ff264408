using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;
using PetSeg.Training.Losses;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training.Losses;

/// <summary>
/// <c>class_weights:</c> the cross-entropy weighted as PyTorch's <c>CrossEntropyLoss(weight=w, ignore_index=255)</c>,
/// checked in float64 loops (no torch on this side), and <c>balanced</c> as scikit-learn's n / (C · n_c).
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class ClassWeightsTests
{
    private const int N = 2, C = 3, H = 3, W = 4;

    /// <summary>Σ w[yᵢ]·(−log softmax(xᵢ)[yᵢ]) / Σ w[yᵢ] over the pixels whose label is not 255.</summary>
    private static double WeightedCrossEntropy(double[] logits, byte[] target, double[] w)
    {
        double sum = 0, weight = 0;
        for (int n = 0; n < N; n++)
            for (int i = 0; i < H * W; i++)
            {
                var y = target[n * H * W + i];
                if (y == 255) continue;
                var x = Enumerable.Range(0, C).Select(k => logits[(n * C + k) * H * W + i]).ToArray();
                double max = x.Max(), logSum = max + Math.Log(x.Sum(v => Math.Exp(v - max)));
                sum += w[y] * (logSum - x[y]);
                weight += w[y];
            }
        return sum / weight;
    }

    [Fact]
    public void The_weighted_cross_entropy_is_the_weighted_mean_over_the_scored_pixels()
    {
        var random = new Random(7);
        var logits = Enumerable.Range(0, N * C * H * W).Select(_ => random.NextDouble() * 6 - 3).ToArray();
        byte[] labels = [0, 0, 0, 1, 2, 255];
        var target = Enumerable.Range(0, N * H * W).Select(_ => labels[random.Next(labels.Length)]).ToArray();
        using var scope = NewDisposeScope();
        var x = tensor(logits, [N, C, H, W], ScalarType.Float64);
        var y = tensor(target, [N, H, W]).to_type(ScalarType.Int64);
        foreach (var w in new[] { new[] { 0.5, 2, 4 }, [1, 1, 1], [0, 1, 3] })
        {
            var expected = WeightedCrossEntropy(logits, target, w);
            var actual = SegmentationLoss.CrossEntropy.WeightedBy(w).Compute(x, y).to_type(ScalarType.Float64).item<double>();
            Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected), $"weights {string.Join(",", w)}: {actual} vs {expected}");
        }
        Assert.NotEqual(WeightedCrossEntropy(logits, target, [0.5, 2, 4]), WeightedCrossEntropy(logits, target, [1, 1, 1]), 3); // the case can tell them apart

        // ce+dice weighs its cross-entropy only; the losses without one refuse weights.
        double[] some = [0.5, 2, 4];
        var both = SegmentationLoss.CrossEntropyDice.WeightedBy(some).Compute(x, y).to_type(ScalarType.Float64).item<double>();
        var parts = SegmentationLoss.CrossEntropy.WeightedBy(some).Compute(x, y).to_type(ScalarType.Float64).item<double>() + DiceLoss.Compute(x, y).to_type(ScalarType.Float64).item<double>();
        Assert.Equal(parts, both, 5);
        Assert.Contains("weighted by class (0.5, 2, 4)", SegmentationLoss.CrossEntropy.WeightedBy(some).Description);
        Assert.All(new[] { SegmentationLoss.Dice, SegmentationLoss.Jaccard, SegmentationLoss.Lovasz, SegmentationLoss.Focal },
            l => Assert.Throws<InvalidOperationException>(() => l.WeightedBy(some)));
    }

    [Fact]
    public void Balanced_weights_are_scikit_learns_over_the_labelled_pixels_of_the_images_trained_on()
    {
        using var dir = new TempDir();
        SyntheticPetGenerator.WriteLayout(dir["pets"], new SyntheticPetOptions { Count = 8, Seed = 4, MinWidth = 40, MaxWidth = 48, MinHeight = 36, MaxHeight = 44, Quirks = false });
        var path = Preprocessor.Run(OxfordPetDataset.Open(dir["pets"], "trainval"), dir["trainval.petc"], new PreprocessOptions(24, 24)).Path;
        using var cache = TensorCache.Open(path);
        const int samples = 3; // a max_train_samples cap: only the images trained on count
        var counts = new long[2];
        for (int i = 0; i < samples; i++)
            foreach (var v in cache.Mask(i)) if (v < 2) counts[v]++;
        Assert.True(cache.Mask(0).Contains((byte)255)); // the border is not counted

        Assert.Equal(counts, ClassWeights.LabelCounts(cache, samples, 2));
        var weights = ClassWeights.Balanced.Resolve(cache, samples, 2);
        double n = counts.Sum();
        Assert.Equal([n / (2 * counts[0]), n / (2 * counts[1])], weights);
        Assert.True(weights[1] > 1 && weights[0] < 1); // the pets are the smaller class here

        // A third class with no pixel weighs 0; given weights are taken as they are, for as many classes as the model has.
        Assert.Equal(0, ClassWeights.Balanced.Resolve(cache, samples, 3)[2]);
        Assert.Equal([1.0, 3.0], ClassWeights.Of([1, 3]).Resolve(cache, samples, 2));
        Assert.Throws<ArgumentException>(() => ClassWeights.Of([1, 3]).Resolve(cache, samples, 3));
        Assert.Equal("balanced", ClassWeights.Balanced.Name);
        Assert.Equal("1,2.5", ClassWeights.Of([1, 2.5]).Name);
    }
}
