using PetSeg.Core;
using PetSeg.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Training.Memory;

/// <summary>
/// Refuses a training that cannot fit in the memory left to the process, before its first step: the kernel's
/// out-of-memory killer would otherwise end it with SIGKILL and no message (batch 2048 at 224² did). The need is
/// <see cref="MemoryProbe"/>'s measurement, a lower bound where it is extrapolated; the room is
/// <see cref="SystemMemory.Room"/>'s. What needs more than the room but not clearly so is started with a warning.
/// </summary>
public static class MemoryCheck
{
    /// <summary>Set to <c>off</c> to train without measuring.</summary>
    public const string Variable = "PETSEG_MEMORY_CHECK";

    /// <summary>
    /// Refused only beyond this multiple of the room: the measurement is a lower bound as a rule, but two runs of it
    /// differ by up to a third at 512² (the kernels' buffers vary), and a false refusal stops work that would have run.
    /// </summary>
    private const double RefuseAbove = 1.25;

    /// <summary>Under this share of the room, <see cref="Bound"/> is taken for the measurement.</summary>
    private const double SkipBelow = 0.25;

    /// <summary>
    /// More than a step can take beyond what the process holds: 16 times the parameters (weights, gradients, Adam's two
    /// moments, bf16 copies, the kernels' reordered weights, an average: at most 8) and 32 KiB per input pixel and image
    /// (measured: 0.3 KiB for SimpleViT to 2.2 KiB for SimpleUNet and the Unet, at 128²).
    /// </summary>
    public static long Bound(int width, int height, int batch, long parameterBytes) => 16 * parameterBytes + 32L * 1024 * width * height * batch;

    /// <summary>Above this share of the room, the run starts with a warning: the heap's fragmentation over many steps comes on top.</summary>
    private const double WarnAbove = 0.5;

    /// <param name="batch">The largest batch the run will train (its batch size, or fewer images if that is all there are).</param>
    /// <param name="label">The run, as its messages name it (the stage id).</param>
    /// <param name="log">Where the measured figures go (the run's log).</param>
    /// <exception cref="NotEnoughMemoryException">The step cannot fit.</exception>
    /// <param name="model">The run's model (its parameters size the bound that spares small runs the measurement).</param>
    public static void Ensure(TrainSettings settings, int width, int height, int batch, nn.Module model, Device device, string label, Action<string> log) =>
        Ensure(settings, width, height, batch, CheckpointSpace.Bytes(model.parameters()), device, label, log,
            enabled: !string.Equals(Environment.GetEnvironmentVariable(Variable), "off", StringComparison.OrdinalIgnoreCase),
            cap: Environment.GetEnvironmentVariable(SystemMemory.LimitVariable));

    /// <param name="parameterBytes">The run's model's parameters' bytes.</param>
    /// <param name="enabled">False: log that it is not checked (<see cref="Variable"/>=off).</param>
    /// <param name="cap">The user's cap on the process's resident size (<see cref="SystemMemory.LimitVariable"/>), or null.</param>
    public static void Ensure(TrainSettings settings, int width, int height, int batch, long parameterBytes, Device device, string label, Action<string> log, bool enabled, string? cap)
    {
        if (device.type != DeviceType.CPU) return;
        if (!enabled)
        {
            log($"memory: not checked ({Variable}=off)");
            return;
        }
        var memory = SystemMemory.This;
        var room = memory.Room(cap);
        // Small runs (the smoke and demo profiles, tests: 32–64²) need far less than the room: a generous bound says so
        // without a measurement.
        long bound = room is null ? long.MaxValue : room.ResidentBytes + Bound(width, height, batch, parameterBytes);
        if (room is not null && bound - room.ResidentBytes < SkipBelow * room.Bytes)
        {
            log($"memory: a step at batch {batch} takes less than {MemoryRoom.Size(bound)} (bounded, not measured: {MemoryRoom.Size(room.Bytes)} more available, {room.Source})");
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Refused only beyond the ceiling and a quarter of the room again (see RefuseAbove).
        long? refuseAbove = room is null ? null : room.CeilingBytes + (long)((RefuseAbove - 1) * room.Bytes);
        var need = MemoryProbe.Measure(settings, width, height, batch, refuseAbove);
        if (need is null) return;
        var took = clock.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        var measured = need.Measured
            ? $"a step at batch {batch} peaks at {MemoryRoom.Size(need.PeakBytes)} (measured here in {took} s)"
            : $"a step at batch {batch} peaks above {MemoryRoom.Size(need.PeakBytes)} (measured here in {took} s up to batch {need.MeasuredBatch}, {MemoryRoom.Size(need.PerImageBytes)} more per image there)";
        if (room is null)
        {
            log($"memory: {measured}; the memory left could not be read");
            return;
        }
        if (need.PeakBytes > refuseAbove)
        {
            int fits = need.LargestBatchWithin(room.CeilingBytes);
            throw new NotEnoughMemoryException(
                $"{label}: training {settings.Model.Architecture} at {width}×{height}{(settings.Precision == Precision.Bf16 ? " in bf16" : "")} does not fit in memory: {measured}, " +
                $"but only {MemoryRoom.Size(room.Bytes)} more is available ({room.Source}) beside the {MemoryRoom.Size(room.ResidentBytes)} this process holds; the kernel would kill it without a message. " +
                (fits >= 2 ? $"No batch above {fits} can fit: lower batch_size in pipeline.yaml, or train on smaller images" : "Not even a batch of 2 fits: train on smaller images or on a machine with more memory") +
                (settings.Precision == Precision.Fp32 ? " or with precision: bf16" : "") +
                $". Nothing was trained. Set {Variable}=off to try anyway.", need, room);
        }
        log($"memory: {measured}; {MemoryRoom.Size(room.Bytes)} more available ({room.Source})");
        if (need.PeakBytes > room.ResidentBytes + WarnAbove * room.Bytes)
            log($"warning: this run may not fit in memory: a step needs {MemoryRoom.Size(Math.Max(0, need.PeakBytes - room.ResidentBytes))} of the {MemoryRoom.Size(room.Bytes)} left, " +
                "and the heap grows over the first steps; the kernel kills a process that runs out without a message");
    }
}
