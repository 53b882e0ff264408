using PetSeg.Models;
using PetSeg.Tests.Support;
using PetSeg.Training.Checkpoints;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Tests.Compute;

/// <summary>
/// Checkpoints are device-independent: written from host copies, they load into a model on another device (here
/// libtorch's meta device stands for a GPU), weights and Adam's moments landing on that model's device.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class CheckpointAcrossDevicesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_checkpoint_written_on_the_cpu_resumes_on_another_device()
    {
        using var scope = NewDisposeScope();
        var spec = new ModelSpec(ModelZoo.SimpleUnet, ImageSize: 32);
        manual_seed(2);
        using var cpuModel = ModelZoo.Create(spec);
        using var cpuOptimizer = new AdamOptimizer(cpuModel.named_parameters(), new AdamSettings(1e-3));
        using (no_grad())
            foreach (var p in cpuModel.parameters()) p.grad = ones_like(p);
        cpuOptimizer.StepOnce(); // moments to save
        TrainingCheckpoint.Save(_dir["last.ckpt"], cpuModel, cpuOptimizer, new CheckpointInfo(spec, 1, "d", cpuOptimizer.Step, [0.5], BatchLosses: [[0.5]]));

        var meta = new Device(DeviceType.META);
        using var model = ModelZoo.Create(spec);
        model.to(meta);
        using var optimizer = new AdamOptimizer(model.named_parameters(), new AdamSettings(1e-3));
        var info = TrainingCheckpoint.Restore(_dir["last.ckpt"], model, optimizer, spec);
        Assert.Equal(1, info.Epoch);
        Assert.Equal(cpuOptimizer.Step, optimizer.Step);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        var state = optimizer.StateDict().ToList();
        Assert.Equal(cpuOptimizer.StateDict().Count(), state.Count);
        Assert.All(state, s => Assert.Equal(DeviceType.META, s.Value.device_type));
    }
}
