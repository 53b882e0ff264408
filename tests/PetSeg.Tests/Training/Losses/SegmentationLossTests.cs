using PetSeg.Models.Layers;
using PetSeg.Compute;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Losses;
using PetSeg.Training.Optim;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PetSeg.Tests.Training.Losses;

/// <summary>
/// The losses <c>loss:</c> offers, in float64 against smp's DiceLoss, JaccardLoss, LovaszLoss and FocalLoss written out as loops (no torch on this side), on
/// batches with ignored pixels, a class absent from every target and a batch with nothing to score; their gradients
/// against central differences; and a training step minimising the loss its settings name.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class SegmentationLossTests
{
    private const int N = 2, C = 2, H = 3, W = 5;

    /// <summary>Logits and targets from a seeded System.Random (not torch's generator); <paramref name="labels"/> says which labels the targets draw.</summary>
    private static (double[] Logits, byte[] Target) Batch(int seed, byte[] labels)
    {
        var random = new Random(seed);
        var logits = Enumerable.Range(0, N * C * H * W).Select(_ => random.NextDouble() * 6 - 3).ToArray();
        var target = Enumerable.Range(0, N * H * W).Select(_ => labels[random.Next(labels.Length)]).ToArray();
        return (logits, target);
    }

    private static Tensor LogitsTensor(double[] logits) => tensor(logits, [N, C, H, W], ScalarType.Float64);
    private static Tensor TargetTensor(byte[] target)
    {
        using var bytes = tensor(target, [N, H, W]); // referenced while to_type copies from it
        return bytes.to_type(ScalarType.Int64);
    }

    /// <summary>
    /// smp 0.5's multiclass DiceLoss and JaccardLoss with ignore_index, as their source reads: softmax per pixel; ignored
    /// pixels zeroed in both the probabilities and the one-hot targets; per class, over batch and pixels, dice =
    /// 2·Σ p·t / max(Σ p + Σ t, 1e-7) or IoU = Σ p·t / max(Σ p + Σ t − Σ p·t, 1e-7); loss = mean over classes of
    /// (1 − score) × [the class occurs in the targets].
    /// </summary>
    private static double SmpDice(double[] logits, byte[] target) => SmpOverlap(logits, target, jaccard: false);

    private static double SmpOverlap(double[] logits, byte[] target, bool jaccard)
    {
        double total = 0;
        for (int c = 0; c < C; c++)
        {
            double intersection = 0, cardinality = 0, truthCount = 0;
            for (int n = 0; n < N; n++)
                for (int i = 0; i < H * W; i++)
                {
                    var label = target[n * H * W + i];
                    if (label == 255) continue;
                    var exps = Enumerable.Range(0, C).Select(k => Math.Exp(logits[(n * C + k) * H * W + i])).ToArray();
                    double p = exps[c] / exps.Sum(), t = label == c ? 1 : 0;
                    intersection += p * t;
                    cardinality += p + t;
                    truthCount += t;
                }
            double score = jaccard ? intersection / Math.Max(cardinality - intersection, DiceLoss.Eps) : 2 * intersection / Math.Max(cardinality, DiceLoss.Eps);
            total += truthCount > 0 ? 1 - score : 0;
        }
        return total / C;
    }

    /// <summary>
    /// smp 0.5's multiclass LovaszLoss (per batch, classes "present", ignore_index) as its source reads: softmax; the
    /// scored pixels flattened; for each class in the targets the errors |fg − p_c| sorted decreasing, dotted with
    /// _lovasz_grad(fg sorted alike) — 1 − (Σfg − cumsum fg)/(Σfg + cumsum(1 − fg)), differenced; the mean of those.
    /// </summary>
    private static double SmpLovasz(double[] logits, byte[] target)
    {
        var pixels = new List<(double[] P, int Label)>();
        for (int n = 0; n < N; n++)
            for (int i = 0; i < H * W; i++)
            {
                var label = target[n * H * W + i];
                if (label == 255) continue;
                var exps = Enumerable.Range(0, C).Select(k => Math.Exp(logits[(n * C + k) * H * W + i])).ToArray();
                pixels.Add((exps.Select(e => e / exps.Sum()).ToArray(), label));
            }
        var losses = new List<double>();
        for (int c = 0; c < C; c++)
        {
            var sorted = pixels.Select(px => (Fg: px.Label == c ? 1.0 : 0.0, Error: Math.Abs((px.Label == c ? 1.0 : 0.0) - px.P[c])))
                .OrderByDescending(e => e.Error).ToArray();
            double gts = sorted.Sum(e => e.Fg);
            if (gts == 0) continue;
            double cumFg = 0, cumBg = 0, previous = 0, loss = 0;
            foreach (var (fg, error) in sorted)
            {
                cumFg += fg;
                cumBg += 1 - fg;
                var jaccard = 1 - (gts - cumFg) / (gts + cumBg);
                loss += error * (jaccard - previous);
                previous = jaccard;
            }
            losses.Add(loss);
        }
        return losses.Count == 0 ? 0 : losses.Average();
    }

    /// <summary>
    /// smp 0.5's multiclass FocalLoss (gamma 2, no alpha, mean) as its source reads: for each class, over the scored
    /// pixels, logpt = BCE-with-logits(z_c, [y = c]), pt = exp(−logpt), mean of (1 − pt)²·logpt; summed over classes.
    /// </summary>
    private static double SmpFocal(double[] logits, byte[] target)
    {
        double total = 0;
        for (int c = 0; c < C; c++)
        {
            double sum = 0;
            int count = 0;
            for (int n = 0; n < N; n++)
                for (int i = 0; i < H * W; i++)
                {
                    var label = target[n * H * W + i];
                    if (label == 255) continue;
                    double z = logits[(n * C + c) * H * W + i], t = label == c ? 1 : 0;
                    double logpt = Math.Max(z, 0) - z * t + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                    sum += Math.Pow(1 - Math.Exp(-logpt), 2) * logpt;
                    count++;
                }
            total += count == 0 ? 0 : sum / count;
        }
        return total;
    }

    private static double Smp(string loss, double[] logits, byte[] target) => loss switch
    {
        "dice" => SmpOverlap(logits, target, jaccard: false),
        "jaccard" => SmpOverlap(logits, target, jaccard: true),
        "lovasz" => SmpLovasz(logits, target),
        "focal" => SmpFocal(logits, target),
        _ => throw new ArgumentException(loss),
    };

    public static TheoryData<string, string, int, byte[]> Batches()
    {
        var data = new TheoryData<string, string, int, byte[]>();
        foreach (var loss in new[] { "dice", "jaccard", "lovasz", "focal" })
        {
            data.Add(loss, "both classes and the border", 1, [0, 1, 255]);
            data.Add(loss, "no pet anywhere: its term is 0 and still divides", 2, [0, 255]);
            data.Add(loss, "only pets", 3, [1]);
            data.Add(loss, "nothing to score", 4, [255]);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Batches))]
    public void Each_overlap_and_focal_loss_is_smps_in_float64(string name, string what, int seed, byte[] labels)
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Batch(seed, labels);
        var loss = SegmentationLoss.Parse(name).Compute(LogitsTensor(logits), TargetTensor(target));
        var expected = Smp(name, logits, target);
        Assert.Equal(ScalarType.Float64, loss.dtype);
        Assert.True(Math.Abs(loss.item<double>() - expected) < 1e-12, $"{what}: {loss.item<double>()} against {expected}");
        if (labels is [255]) Assert.Equal(0.0, loss.item<double>());
        else Assert.InRange(loss.item<double>(), 1e-3, name == "focal" ? 10 : 1); // 1 − a score in [0, 1]; focal is a sum of BCEs
    }

    [Fact]
    public void Gradients_match_central_differences_and_ignored_pixels_get_none()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Batch(5, [0, 1, 255]);
        var y = TargetTensor(target);
        double[] Gradient(SegmentationLoss loss)
        {
            var x = LogitsTensor(logits).requires_grad_(true);
            loss.Compute(x, y).backward();
            return x.grad!.data<double>().ToArray();
        }
        foreach (var loss in new[] { SegmentationLoss.Dice, SegmentationLoss.Jaccard, SegmentationLoss.Lovasz, SegmentationLoss.Focal })
        {
            var g = Gradient(loss);
            for (int n = 0; n < N; n++)
                for (int c = 0; c < C; c++)
                    for (int i = 0; i < H * W; i++)
                    {
                        int at = (n * C + c) * H * W + i;
                        if (target[n * H * W + i] == 255) { Assert.Equal(0.0, g[at]); continue; }
                        double Shifted(double h)
                        {
                            var shifted = (double[])logits.Clone();
                            shifted[at] += h;
                            return Smp(loss.Name, shifted, target);
                        }
                        double numeric = (Shifted(1e-6) - Shifted(-1e-6)) / 2e-6;
                        Assert.True(Math.Abs(g[at] - numeric) < 1e-7, $"{loss} at {at}: {g[at]} against {numeric}");
                    }
            Assert.Contains(g, v => Math.Abs(v) > 1e-3); // not vacuous
        }
        var dice = Gradient(SegmentationLoss.Dice);
        // The sum's gradient is the two gradients' sum (cross-entropy's is fp32's: the lab's loss is computed in fp32).
        var ce = Gradient(SegmentationLoss.CrossEntropy);
        var both = Gradient(SegmentationLoss.CrossEntropyDice);
        for (int at = 0; at < both.Length; at++) Assert.True(Math.Abs(both[at] - (ce[at] + dice[at])) < 1e-12, $"at {at}");
    }

    [Fact]
    public void Cross_entropy_is_the_labs_and_the_sum_is_both()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Batch(6, [0, 1, 255]);
        var x = LogitsTensor(logits);
        var y = TargetTensor(target);
        var ce = SegmentationLoss.CrossEntropy.Compute(x, y);
        Assert.Equal(ScalarType.Float32, ce.dtype); // the lab's logits.float()
        Assert.Equal(F.cross_entropy(x.to_type(ScalarType.Float32), y, ignore_index: 255).item<float>(), ce.item<float>());
        var sum = SegmentationLoss.CrossEntropyDice.Compute(x, y).item<double>();
        Assert.True(Math.Abs(sum - (ce.item<float>() + SmpDice(logits, target))) < 1e-6, $"{sum}");
        // bf16 logits are widened first: the same loss as their fp32 values.
        var bf16 = x.to_type(ScalarType.BFloat16);
        foreach (var loss in new[] { SegmentationLoss.Dice, SegmentationLoss.Jaccard, SegmentationLoss.Lovasz, SegmentationLoss.Focal })
        {
            Assert.Equal(ScalarType.Float32, loss.Compute(bf16, y).dtype);
            Assert.Equal(loss.Compute(bf16.to_type(ScalarType.Float32), y).item<float>(), loss.Compute(bf16, y).item<float>());
            // and fp32, what training passes: to fp64's value within fp32's rounding
            Assert.True(Math.Abs(loss.Compute(x.to_type(ScalarType.Float32), y).item<float>() - Smp(loss.Name, logits, target)) < 1e-5, loss.Name);
        }

        Assert.Equal(["ce", "dice", "jaccard", "ce+dice", "lovasz", "focal"], SegmentationLoss.Names);
        Assert.Same(SegmentationLoss.Dice, SegmentationLoss.Parse("dice"));
        Assert.Contains("expected one of ce, dice, jaccard, ce+dice", Assert.Throws<ArgumentException>(() => SegmentationLoss.Parse("bce")).Message);
    }

    [Fact]
    public void A_training_step_minimises_the_loss_it_is_given()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1), new TrackedBatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 2, 1));
        var x = randn(4, 3, 16, 16);
        var y = x.select(1, 0).gt(Scalars.Of(0L)).to_type(ScalarType.Int64); // pets where the first channel is positive
        y.select(1, 0).fill_(Scalars.Of(255L)); // a border row
        var start = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

        float Train(SegmentationLoss loss, out double expectedFirst)
        {
            model.load_state_dict(start);
            using (no_grad())
            {
                model.train(); // the step's own mode: batch statistics (running ones are restored above)
                expectedFirst = loss.Compute(model.call(x), y).item<float>();
                model.load_state_dict(start);
            }
            using var optimizer = new AdamOptimizer(model.named_parameters(), new AdamSettings(0.05));
            var step = new TrainingStep(model, optimizer) { Loss = loss };
            float first = step.Run(x, y), last = first;
            for (int i = 0; i < 30; i++) last = step.Run(x, y);
            Assert.Equal((float)expectedFirst, first); // the step's loss is the one it was given, on its first batch
            return last / first;
        }
        Assert.InRange(Train(SegmentationLoss.Dice, out var dice), 0, 0.5); // it minimises Dice: less than half after 30 steps
        Assert.InRange(Train(SegmentationLoss.CrossEntropy, out var ce), 0, 0.5);
        Assert.NotEqual(dice, ce); // two different objectives on the same batch
    }
}
