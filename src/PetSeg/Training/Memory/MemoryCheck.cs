using PetSeg.Core;
using PetSeg.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Training.Memory;

/// <summary>
/// Refuses a training that cannot fit in the memory left to the process, before its first step: the kernel's
/// out-of-memory killer would otherwise end it with SIGKILL and no message (batch 2048 at 224² did). The need is
/// <see cref="MemoryProbe"/>'s measurement, a lower bound where it is extrapolated; the room is
/// <see cref="SystemMemory.Room"/>'s, beside the other trainings the machine's <see cref="MemoryLedger"/> knows of. What
/// needs more than the room but not clearly so is started with a warning; what fits only once those others end waits
/// for them; each check records the need it passed with, for the checks after it.
/// </summary>
public static class MemoryCheck
{
    /// <summary>Set to <c>off</c> to train without measuring.</summary>
    public const string Variable = "PETSEG_MEMORY_CHECK";

    /// <summary>
    /// Refused only beyond this multiple of the room: the measurement is a lower bound as a rule, but two runs of it
    /// differ by up to a third at 512² (the kernels' buffers vary), and a false refusal stops work that would have run.
    /// </summary>
    private const double RefuseAboveRoom = 1.25;

    /// <summary>Under this share of the room, <see cref="Bound"/> is taken for the measurement.</summary>
    private const double SkipBelow = 0.25;

    /// <summary>
    /// More than a step can take beyond what the process holds: 16 times the parameters (weights, gradients, Adam's two
    /// moments, bf16 copies, the kernels' reordered weights, an average: at most 8) and 32 KiB per input pixel and image
    /// (measured: 0.3 KiB for SimpleViT to 2.2 KiB for SimpleUNet and the Unet, at 128²).
    /// </summary>
    public static long Bound(int width, int height, int batch, long parameterBytes) => 16 * parameterBytes + 32L * 1024 * width * height * batch;

    /// <summary>How often a run that waits for memory says it still does, and for whom: the others change while it waits.</summary>
    public static readonly TimeSpan RemindEvery = TimeSpan.FromMinutes(1);

    /// <summary>Above this share of the room, the run starts with a warning: the heap's fragmentation over many steps comes on top.</summary>
    private const double WarnAbove = 0.5;

    /// <param name="batch">The largest batch the run will train (its batch size, or fewer images if that is all there are).</param>
    /// <param name="label">The run, as its messages name it (the stage id).</param>
    /// <param name="log">Where the measured figures go (the run's log).</param>
    /// <param name="model">The run's model (its parameters size the bound that spares small runs the measurement).</param>
    /// <param name="ct">Stops a wait for other trainings' memory.</param>
    /// <returns>The run's entry in the machine's <see cref="MemoryLedger"/>: dispose it when the training ends. Null where nothing was checked.</returns>
    /// <exception cref="NotEnoughMemoryException">The step cannot fit, even once the other trainings end.</exception>
    public static IDisposable? Ensure(TrainSettings settings, int width, int height, int batch, nn.Module model, Device device, string label, Action<string> log, CancellationToken ct = default) =>
        Ensure(settings, width, height, batch, CheckpointSpace.Bytes(model.parameters()), device, label, log,
            enabled: Enabled(Environment.GetEnvironmentVariable(Variable)), cap: Environment.GetEnvironmentVariable(SystemMemory.LimitVariable),
            MemoryLedger.ForThisMachine(), ct);

    /// <summary>Whether <see cref="Variable"/>'s value asks for the check: unset, empty or <c>on</c> do, <c>off</c> does not.</summary>
    /// <exception cref="ConfigException">Any other value: a misspelt <c>off</c> must not check (and refuse) silently.</exception>
    public static bool Enabled(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "on" => true,
        "off" => false,
        _ => throw new ConfigException($"{Variable}={value}: use off (train without measuring what a step needs) or on (the default)"),
    };

    /// <param name="parameterBytes">The run's model's parameters' bytes.</param>
    /// <param name="enabled">False: log that it is not checked (<see cref="Variable"/>=off).</param>
    /// <param name="cap">The user's cap on what the trainings hold together (<see cref="SystemMemory.LimitVariable"/>), or null.</param>
    /// <param name="ledger">Where the trainings on this machine record their needs (null: others are not counted).</param>
    /// <param name="remindEvery">How often a wait is told again (<see cref="RemindEvery"/> when null).</param>
    public static IDisposable? Ensure(TrainSettings settings, int width, int height, int batch, long parameterBytes, Device device, string label, Action<string> log,
        bool enabled, string? cap, MemoryLedger? ledger, CancellationToken ct = default, TimeSpan? remindEvery = null)
    {
        if (device.type != DeviceType.CPU) return null;
        if (!enabled)
        {
            log($"memory: not checked ({Variable}=off)");
            return null;
        }
        var memory = SystemMemory.This;
        MemoryNeed? need = null;
        string measured = "";
        System.Diagnostics.Stopwatch? waiting = null;
        var told = TimeSpan.Zero; // when into the wait it was last told
        while (true)
        {
            if (waiting is not null) // for another training to end or reach its peak: not while holding the ledger
            {
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                ct.ThrowIfCancellationRequested();
            }
            using var turn = TakeTurn(ledger, label, log);
            IReadOnlyList<OtherTraining> others = turn is null ? [] : ledger!.Others();
            var room = memory.Room(cap, others);
            if (need is null)
            {
                // Small runs (the smoke and demo profiles, tests: 32–64²) need far less than the room: a generous bound says
                // so without a measurement.
                long bound = room is null ? long.MaxValue : room.ResidentBytes + Bound(width, height, batch, parameterBytes);
                if (room is not null && bound - room.ResidentBytes < SkipBelow * room.Bytes)
                {
                    log($"memory: a step at batch {batch} takes less than {MemoryRoom.Size(bound)} (bounded, not measured: {MemoryRoom.Size(room.Bytes)} more available, {room.Source})");
                    return Record(ledger, turn, label, peakBytes: 0, log);
                }
                var clock = System.Diagnostics.Stopwatch.StartNew();
                // Measured no further than a refusal needs, were the others ended.
                var alone = room is null || others.Count == 0 ? room : memory.Room(cap, others, ended: true);
                need = MemoryProbe.Measure(settings, width, height, batch, alone is null ? null : RefuseAbove(alone));
                if (need is null) return null;
                var took = clock.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
                measured = need.Measured
                    ? $"a step at batch {batch} peaks at {MemoryRoom.Size(need.PeakBytes)} (measured here in {took} s)"
                    : $"a step at batch {batch} peaks above {MemoryRoom.Size(need.PeakBytes)} (measured here in {took} s up to batch {need.MeasuredBatch}, {MemoryRoom.Size(need.PerImageBytes)} more per image there)";
                if (room is null)
                {
                    log($"memory: {measured}; the memory left could not be read");
                    return null;
                }
            }
            if (room is null) return null; // unreadable since the measurement
            if (others.Count > 0 && need.PeakBytes > room.CeilingBytes)
            {
                // Beside the others it does not fit. Once they end it may: wait rather than start and run out together.
                var alone = memory.Room(cap, others, ended: true)!;
                if (need.PeakBytes > RefuseAbove(alone)) throw Refusal(settings, width, height, label, measured, need, alone, others);
                if (waiting is null)
                {
                    log($"memory: {measured}; beside {Listed(others)} only {MemoryRoom.Size(room.Bytes)} is left ({room.Source}): waiting for memory to free up");
                    waiting = System.Diagnostics.Stopwatch.StartNew();
                }
                else if (waiting.Elapsed - told >= (remindEvery ?? RemindEvery))
                {
                    told = waiting.Elapsed;
                    log($"memory: still waiting after {Seconds(told)} s: beside {Listed(others)} only {MemoryRoom.Size(room.Bytes)} is left ({room.Source}), " +
                        $"and a step at batch {batch} needs {MemoryRoom.Size(Math.Max(0, need.PeakBytes - room.ResidentBytes))} more");
                }
                continue;
            }
            if (need.PeakBytes > RefuseAbove(room)) throw Refusal(settings, width, height, label, measured, need, room, others);
            var waited = waiting is null ? "" : $", after waiting {Seconds(waiting.Elapsed)} s for it";
            log($"memory: {measured}; {MemoryRoom.Size(room.Bytes)} more available ({room.Source}){waited}");
            if (need.PeakBytes > room.ResidentBytes + WarnAbove * room.Bytes)
                log($"warning: this run may not fit in memory: a step needs {MemoryRoom.Size(Math.Max(0, need.PeakBytes - room.ResidentBytes))} of the {MemoryRoom.Size(room.Bytes)} left, " +
                    "and the heap grows over the first steps; the kernel kills a process that runs out without a message");
            return Record(ledger, turn, label, need.PeakBytes, log);
        }
    }

    /// <summary>Refused only beyond the ceiling and a quarter of the room again (see <see cref="RefuseAboveRoom"/>).</summary>
    private static long RefuseAbove(MemoryRoom room) => room.CeilingBytes + (long)((RefuseAboveRoom - 1) * room.Bytes);

    private static NotEnoughMemoryException Refusal(TrainSettings settings, int width, int height, string label, string measured, MemoryNeed need, MemoryRoom room,
        IReadOnlyList<OtherTraining> others)
    {
        int fits = need.LargestBatchWithin(room.CeilingBytes);
        return new NotEnoughMemoryException(
            $"{label}: training {settings.Model.Architecture} at {width}×{height}{(settings.Precision == Precision.Bf16 ? " in bf16" : "")} does not fit in memory: {measured}, " +
            $"but only {MemoryRoom.Size(room.Bytes)} more is available ({room.Source}) beside the {MemoryRoom.Size(room.ResidentBytes)} this process holds" +
            (others.Count == 0 ? "" : $", even once {Listed(others)} {(others.Count == 1 ? "ends" : "end")}") + "; the kernel would kill it without a message. " +
            (fits >= 2 ? $"No batch above {fits} can fit: lower batch_size in pipeline.yaml, or train on smaller images" : "Not even a batch of 2 fits: train on smaller images or on a machine with more memory") +
            (settings.Precision == Precision.Fp32 ? " or with precision: bf16" : "") +
            $". Nothing was trained. Set {Variable}=off to try anyway.", need, room);
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Listed(IReadOnlyList<OtherTraining> others) =>
        others.Count == 1 ? $"the training of {others[0]}" : $"the {others.Count} other trainings ({string.Join(", ", others)})";

    /// <summary>The ledger's turn, or null (and a warning) where its folder cannot be written: the check then counts this training alone.</summary>
    private static IDisposable? TakeTurn(MemoryLedger? ledger, string label, Action<string> log)
    {
        if (ledger is null) return null;
        try { return ledger.Turn($"checking the memory of {label}", log); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"warning: memory: the ledger {ledger.Folder} cannot be used ({e.Message}); trainings started beside this one are not counted");
            return null;
        }
    }

    private static IDisposable? Record(MemoryLedger? ledger, IDisposable? turn, string label, long peakBytes, Action<string> log)
    {
        if (ledger is null || turn is null) return null;
        try { return ledger.Record(label, peakBytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log($"warning: memory: the ledger {ledger.Folder} cannot be written ({e.Message}); trainings started beside this one will not count this one");
            return null;
        }
    }
}
