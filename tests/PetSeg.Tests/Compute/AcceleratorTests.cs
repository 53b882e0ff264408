using PetSeg.Compute;
using PetSeg.Inference;
using PetSeg.Metrics;
using PetSeg.Models;
using PetSeg.Models.Hooks;
using PetSeg.Models.Input;
using PetSeg.Tests.Support;
using PetSeg.Training;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Optim;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PetSeg.Tests.Compute;

/// <summary>
/// What computes on a GPU against the same computation on the CPU: a training step of each model (loss and every
/// gradient), prediction, the confusion matrix's counts, the bf16 copy, a checkpoint across devices, and the device's
/// own numerics self-check. They need a CUDA device: CI has none and skips them, saying so; the GPU kit
/// (<c>build/gpu-kit/run.sh</c>) runs them on the GPU machine. <see cref="Variable"/> names another device (e.g.
/// <c>cpu</c>, to exercise the tests themselves where there is no GPU).
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class AcceleratorTests(ITestOutputHelper output)
{
    public const string Variable = "PETSEG_TEST_DEVICE";

    private static Device Accelerator()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } setting) return torch.device(setting);
        Skip.IfNot(cuda.is_available(), $"no CUDA device here (CI has none): build/gpu-kit/run.sh runs these on a GPU machine, or set {Variable}");
        return new Device(DeviceType.CUDA, 0);
    }

    public static TheoryData<string> Models() => [.. ModelZoo.LabArchitectures, "unet-resnet50", "segformer-mit_b2"]; // and a Bottleneck ResNet, a deeper MiT

    /// <summary>A model on the CPU and its copy on <paramref name="device"/>, with the same weights.</summary>
    private static (nn.Module<Tensor, Tensor> Cpu, nn.Module<Tensor, Tensor> Device) Pair(ModelSpec spec, Device device, long seed)
    {
        manual_seed(seed);
        var cpu = ModelZoo.Create(spec);
        var other = ModelZoo.Create(spec);
        other.load_state_dict(cpu.state_dict());
        other.to(device);
        return (cpu, other);
    }

    /// <summary>uint8 images and int64 targets with an ignored (255) border column, as the trainer's batches are.</summary>
    private static (Tensor Images, Tensor Targets) Batch(long seed, int size)
    {
        manual_seed(seed);
        var images = randint(0, 256, [4, 3, size, size], dtype: ScalarType.Byte);
        var targets = randint(0, 2, [4, size, size], dtype: ScalarType.Int64);
        targets[TensorIndex.Ellipsis, TensorIndex.Slice(0, 2)] = tensor(255L);
        return (images, targets);
    }

    private static double RelativeError(Tensor ours, Tensor reference)
    {
        using var scope = NewDisposeScope();
        return (ours.cpu().Minus(reference).norm() / reference.norm().clamp_min(Scalars.Of(1e-30))).ToDoubleKept();
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void A_training_step_and_prediction_on_the_accelerator_match_the_cpu(string architecture)
    {
        var device = Accelerator();
        DeviceChoice.Prepare(device, tf32: false, deterministic: true); // plain fp32, to compare closely with the CPU
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(architecture, ImageSize: 64);
        var (cpuModel, model) = Pair(spec, device, 7);
        // Dropout draws from each device's own generator, so no seed makes the two draw the same masks: off for the comparison.
        StochasticLayers.DisableAll(cpuModel);
        StochasticLayers.DisableAll(model);
        var (images, targets) = Batch(8, 64);
        // The same weights predict the same classes (where a pixel's two logits nearly tie, rounding may pick either).
        var predicted = ClassPredictor.PredictClasses(model, images);
        Assert.Equal(device.type, predicted.device_type);
        var cpuPredicted = ClassPredictor.PredictClasses(cpuModel, images);
        double agree = predicted.cpu().eq(cpuPredicted).to_type(ScalarType.Float64).mean().ToDoubleKept();
        output.WriteLine($"{architecture} on {device}: predictions {agree:P3} of pixels as on the cpu");
        Assert.True(agree >= 0.999, $"{agree:P3} of the pixels agree");

        using var cpuOptimizer = new AdamOptimizer(cpuModel.named_parameters(), new AdamSettings(1e-3));
        using var optimizer = new AdamOptimizer(model.named_parameters(), new AdamSettings(1e-3));

        float cpuLoss = new TrainingStep(cpuModel, cpuOptimizer).Run(ImageNetNormalize.Apply(images), targets);
        var (onDevice, targetsOnDevice) = DeviceTransfer.ToDevice((images, targets), device);
        float loss = new TrainingStep(model, optimizer).Run(ImageNetNormalize.Apply(onDevice), targetsOnDevice);

        output.WriteLine($"  loss {loss} vs cpu {cpuLoss}");
        Assert.InRange(Math.Abs(loss - cpuLoss) / cpuLoss, 0, 1e-4);
        Assert.All(model.parameters(), p => Assert.Equal(device.type, p.device_type));
        var grads = cat(model.parameters().Select(p => p.grad!.flatten().cpu()).ToArray());
        var cpuGrads = cat(cpuModel.parameters().Select(p => p.grad!.flatten()).ToArray());
        // fp32 accumulation order alone moves the Unet's train-mode BatchNorm gradients by ~2.6e-3 of their maximum
        // (the fixtures' README); a wrong kernel or a misplaced tensor is off by tens of percent.
        double gradError = RelativeError(grads, cpuGrads);
        output.WriteLine($"  gradients: relative error {gradError:E2}");
        Assert.InRange(gradError, 0, 1e-2);
    }

    [SkippableFact]
    public void The_confusion_matrix_counts_on_the_accelerator_exactly_as_on_the_cpu()
    {
        var device = Accelerator();
        using var scope = NewDisposeScope();
        var (_, targets) = Batch(9, 32);
        manual_seed(10);
        var predicted = randint(0, 2, [4, 32, 32], dtype: ScalarType.Byte);
        var cpu = new ConfusionMatrix(2);
        cpu.Update(predicted, targets);
        var ours = new ConfusionMatrix(2);
        ours.Update(predicted.to(device), targets.to(device));
        Assert.Equal(cpu.ToRows(), ours.ToRows());
        Assert.Equal(4 * 32 * 30, cpu.ToRows().SelectMany(r => r).Sum()); // the ignored columns are not counted
    }

    [SkippableFact]
    public void A_bf16_step_on_the_accelerator_trains_the_fp32_master_like_an_fp32_step()
    {
        var device = Accelerator();
        DeviceChoice.Prepare(device, tf32: true, deterministic: true);
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(ModelZoo.UnetResNet34, ImageSize: 64);
        var (fp32, bf16) = Pair(spec, device, 11);
        fp32.to(device);
        var (images, targets) = DeviceTransfer.ToDevice(Batch(12, 64), device);
        var input = ImageNetNormalize.Apply(images);
        using var opt32 = new AdamOptimizer(fp32.named_parameters(), new AdamSettings(1e-3));
        using var opt16 = new AdamOptimizer(bf16.named_parameters(), new AdamSettings(1e-3));
        using var shadow = new Bf16Shadow(bf16, spec);
        float loss32 = new TrainingStep(fp32, opt32).Run(input, targets);
        float loss16 = new TrainingStep(bf16, opt16, shadow).Run(input, targets);
        output.WriteLine($"bf16 loss {loss16} vs fp32/TF32 {loss32} on {device}");
        Assert.InRange(Math.Abs(loss16 - loss32) / loss32, 0, 2e-2); // bf16 keeps 8 bits of mantissa
        Assert.All(bf16.named_parameters(), p => Assert.True(p.parameter is { dtype: ScalarType.Float32 } && p.parameter.grad is { dtype: ScalarType.Float32 }
            && p.parameter.device_type == device.type, $"{p.name}: the master is fp32 on {device}, with an fp32 gradient"));
    }

    [SkippableFact]
    public void A_checkpoint_written_on_the_accelerator_loads_on_the_cpu_and_back_bit_for_bit()
    {
        var device = Accelerator();
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        var (_, model) = Pair(spec, device, 13);
        using var optimizer = new AdamOptimizer(model.named_parameters(), new AdamSettings(1e-3));
        var average = ExponentialMovingAverage.For(model, spec, 0.9); // ema: the average beside the model, on the device
        using var averageModel = average.Model;
        var (images, targets) = DeviceTransfer.ToDevice(Batch(14, 32), device);
        new TrainingStep(model, optimizer).Run(ImageNetNormalize.Apply(images), targets);
        average.Update(optimizer.Step);
        Assert.All(averageModel.state_dict(), p => Assert.Equal(device.type, p.Value.device_type));
        TrainingCheckpoint.Save(dir["last.ckpt"], model, optimizer, new CheckpointInfo(spec, 1, "d", optimizer.Step, [0.5], BatchLosses: [[0.5]], Ema: 0.9), average);

        var expected = model.state_dict().ToDictionary(p => p.Key, p => p.Value.cpu());
        using var onCpu = ModelZoo.Create(spec);
        using var cpuOptimizer = new AdamOptimizer(onCpu.named_parameters(), new AdamSettings(1e-3));
        var cpuAverage = ExponentialMovingAverage.For(onCpu, spec, 0.9);
        using var cpuAverageModel = cpuAverage.Model;
        TrainingCheckpoint.Restore(dir["last.ckpt"], onCpu, cpuOptimizer, spec, cpuAverage);
        Assert.All(onCpu.state_dict(), p => Assert.True(p.Value.eq(expected[p.Key]).all().ToBooleanKept(), $"{p.Key} differs on the CPU"));
        Assert.Equal(optimizer.Step, cpuOptimizer.Step);
        var averaged = averageModel.state_dict();
        Assert.All(cpuAverageModel.state_dict(), p => Assert.True(p.Value.eq(averaged[p.Key].cpu()).all().ToBooleanKept(), $"{p.Key}'s average differs on the CPU"));

        using var back = ModelZoo.Create(spec);
        back.to(device);
        using var backOptimizer = new AdamOptimizer(back.named_parameters(), new AdamSettings(1e-3));
        TrainingCheckpoint.Restore(dir["last.ckpt"], back, backOptimizer, spec);
        Assert.All(back.state_dict(), p => Assert.True(p.Value.device_type == device.type && p.Value.cpu().eq(expected[p.Key]).all().ToBooleanKept(), $"{p.Key} differs back on {device}"));
        Assert.All(backOptimizer.StateDict(), s => Assert.Equal(device.type, s.Value.device_type));
    }

    [SkippableFact]
    public void The_accelerators_numerics_self_check_passes_with_tf32_and_without()
    {
        var device = Accelerator();
        try
        {
            foreach (var tf32 in new[] { true, false })
            {
                ComputeBackend.Reset();
                DeviceChoice.Prepare(device, tf32, deterministic: true);
                ComputeBackend.EnsureChecked(device, bf16: true);
                var report = ComputeBackend.ReportOn(device)!;
                foreach (var r in report.Results) output.WriteLine($"{report.Title} {r.Name} {r.Precision}: {NumericsCheckResult.Format(r.Worst)} (tol {NumericsCheckResult.Format(r.Tolerance)})");
                Assert.True(report.Passed, report.DescribeFailures());
                Assert.Equal("passed", ComputeBackend.RecordOn(device).Verdict);
            }
        }
        finally { ComputeBackend.Reset(); }
    }
}
