using PetSeg.Compute;
using PetSeg.Training.Optim;
using PetSeg.Tests.Support;
using static TorchSharp.torch;

namespace PetSeg.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class AdamOptimizerTests
{
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.01)]
    [InlineData(true, 0.01)]
    public void Matches_torchsharps_pytorch_port_step_for_step(bool decoupled, double weightDecay)
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var a = nn.Linear(6, 3);
        var b = nn.Linear(6, 3);
        b.load_state_dict(a.state_dict());
        var ours = new AdamOptimizer(a.named_parameters(), new AdamSettings(1e-2, WeightDecay: weightDecay, Decoupled: decoupled));
        TorchSharp.Modules.OptimizerHelper reference = decoupled
            ? optim.AdamW(b.parameters(), lr: 1e-2, weight_decay: weightDecay)
            : optim.Adam(b.parameters(), lr: 1e-2, weight_decay: weightDecay);
        for (int step = 0; step < 20; step++) StepBoth(a, ours, b, reference);
        AssertSameWeights(a, b);
        Assert.Equal(20, ours.Step);
    }

    /// <summary>One step of both optimizers on the same random batch (mean squared error).</summary>
    private static void StepBoth(nn.Module<Tensor, Tensor> a, AdamOptimizer ours, nn.Module<Tensor, Tensor> b, optim.Optimizer reference)
    {
        using var s = NewDisposeScope();
        var x = randn(8, 6);
        var y = randn(8, 3);
        ours.ZeroGrad();
        nn.functional.mse_loss(a.call(x), y).backward();
        ours.StepOnce();
        reference.zero_grad();
        nn.functional.mse_loss(b.call(x), y).backward();
        reference.step();
    }

    private static void AssertSameWeights(TorchSharp.Modules.Linear a, TorchSharp.Modules.Linear b)
    {
        using var scope = NewDisposeScope();
        double diff = a.weight!.Minus(b.weight!).abs().max().item<float>();
        Assert.True(diff < 1e-6, $"max |Δw| = {diff}");
    }

    /// <summary>
    /// <c>lr_schedule: cosine</c> against TorchSharp's port of PyTorch's <c>CosineAnnealingLR</c>, stepped once per
    /// epoch: the rates per epoch (closed form here, PyTorch's recursive form there) and the weights they train.
    /// </summary>
    [Theory]
    [InlineData(false, 0.0, 0)]
    [InlineData(true, 1e-3, 0)]
    [InlineData(true, 1e-3, 2)]
    public void A_cosine_schedule_sets_the_rates_pytorchs_cosine_annealing_sets(bool decoupled, double minLr, int warmup)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var a = nn.Linear(6, 3);
        var b = nn.Linear(6, 3);
        b.load_state_dict(a.state_dict());
        const int Epochs = 5;
        var settings = new PetSeg.Training.TrainSettings(new PetSeg.Models.ModelSpec(PetSeg.Models.ModelZoo.SimpleUnet),
            new AdamSettings(1e-2, WeightDecay: 0.01, Decoupled: decoupled), Epochs, Schedule: new LrSchedule(LrSchedule.Cosine, minLr, warmup));
        var ours = new AdamOptimizer(a.named_parameters(), settings.Optimizer);
        var reference = decoupled ? optim.AdamW(b.parameters(), lr: 1e-2, weight_decay: 0.01) : (optim.Optimizer)optim.Adam(b.parameters(), lr: 1e-2, weight_decay: 0.01);
        var scheduler = warmup == 0 ? optim.lr_scheduler.CosineAnnealingLR(reference, Epochs, minLr)
            : optim.lr_scheduler.SequentialLR(reference, [optim.lr_scheduler.LinearLR(reference, 1.0 / (warmup + 1), 1.0, warmup),
                optim.lr_scheduler.CosineAnnealingLR(reference, Epochs - warmup, minLr)], [warmup]);
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            ours.LearningRate = settings.LearningRateAt(epoch);
            Assert.Equal(reference.ParamGroups.First().LearningRate, ours.LearningRate, 1e-15);
            for (int step = 0; step < 4; step++) StepBoth(a, ours, b, reference);
            scheduler.step();
        }
        Assert.Equal(minLr + (1e-2 - minLr) * (1 + Math.Cos(Math.PI * (4 - warmup) / (5 - warmup))) / 2, settings.LearningRateAt(4), 1e-15);
        AssertSameWeights(a, b);
        // A refit trains the chosen run's first epochs along that run's schedule (it spans the run's 5 epochs, not the refit's 3).
        var refit = PetSeg.Lab.Stages.RefitChoice.Refit(settings, 3);
        Assert.Equal([settings.LearningRateAt(0), settings.LearningRateAt(1), settings.LearningRateAt(2)], Enumerable.Range(0, 3).Select(refit.LearningRateAt));
    }

    /// <summary><c>grad_clip:</c> against TorchSharp's port of <c>torch.nn.utils.clip_grad_norm_</c>: the norm, the clipped gradients, and no change at all under the limit.</summary>
    [Theory]
    [InlineData(0.05)]
    [InlineData(1e9)]
    public void Gradient_clipping_scales_the_gradients_as_pytorchs_clip_grad_norm_does(double maxNorm)
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var a = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3));
        var b = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3));
        b.load_state_dict(a.state_dict());
        var x = randn(8, 6);
        var y = randn(8, 3);
        nn.functional.mse_loss(a.call(x), y).backward();
        nn.functional.mse_loss(b.call(x), y).backward();
        byte[] Grads(nn.Module m) => [.. m.parameters().SelectMany(p => p.grad!.bytes.ToArray())];
        var before = Grads(a);

        var ours = new AdamOptimizer(a.named_parameters(), new AdamSettings(1e-2));
        double norm = ours.ClipGradNorm(maxNorm).item<float>();
        double reference = nn.utils.clip_grad_norm_(b.parameters(), maxNorm);
        Assert.Equal(reference, norm, 1e-6);
        Assert.True(maxNorm > 1 ? norm < maxNorm : norm > maxNorm, $"norm {norm}: the case does not test what it says");
        if (maxNorm > norm) Assert.Equal(before, Grads(a)); // under the limit: the gradients keep their bits
        else
        {
            var clipped = a.parameters().Select(p => p.grad!).ToList();
            double after = Math.Sqrt(clipped.Sum(g => Math.Pow(g.norm().item<float>(), 2)));
            Assert.Equal(maxNorm, after, 1e-6);
            foreach (var (g, r) in clipped.Zip(b.parameters().Select(p => p.grad!)))
                Assert.True(g.allclose(r, rtol: 1e-6, atol: 1e-9), "clipped gradients differ from TorchSharp's clip_grad_norm_");
        }
    }

    [Fact]
    public void A_schedule_describes_itself_for_the_training_log()
    {
        Assert.Equal("cosine to 0", new LrSchedule(LrSchedule.Cosine).Describe());
        Assert.Equal("1 warm-up epoch(s), then cosine to 1E-05 over 6 epochs", new LrSchedule(LrSchedule.Cosine, 1e-5, 1, 6).Describe());
    }
}
