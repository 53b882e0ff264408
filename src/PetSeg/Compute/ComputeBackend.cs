using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Compute;

/// <summary>
/// The process's compute backend: the numerics mode, the kernel path the self-check chose, and the check's report.
/// <see cref="EnsureChecked"/> runs once per process (again only when bf16 is first needed) before the first training
/// or evaluation step: on a healthy backend it changes nothing; under <c>auto</c> a failing check moves to the next
/// path (<see cref="KernelPath"/>, cheapest first), re-checks, and says so in one warning line; under <c>strict</c>, or
/// when no path passes, it throws <see cref="NumericsException"/>.
/// </summary>
public static class ComputeBackend
{
    private static readonly object Gate = new();
    private static bool _checkedFp32, _checkedBf16;
    private static Action<string>? _warn;

    /// <summary>Accelerator checks by device and TF32 setting (e.g. "cuda:0 tf32"), and whether bf16 was part of them.</summary>
    private static readonly Dictionary<string, (NumericsReport Report, bool Bf16)> DeviceChecks = new(StringComparer.Ordinal);

    public static NumericsMode Mode { get; private set; } = NumericsMode.Auto;

    public static KernelPath Path { get; private set; } = KernelPath.OneDnn;

    /// <summary>The last self-check (of <see cref="Path"/>), or null before the first.</summary>
    public static NumericsReport? Report { get; private set; }

    /// <summary>Every path the last settling checked, in order (the default first): what <c>petseg doctor</c> shows.</summary>
    public static IReadOnlyList<NumericsReport> Attempts { get; private set; } = [];

    /// <summary>A deliberately wrong kernel for tests (<see cref="InjectedFaults.Variable"/>).</summary>
    public static InjectedFault Fault
    {
        get => _fault ??= InjectedFaults.FromEnvironment(); // read on first use: a bad value is a clear error, not a type-initializer failure
        set => _fault = value;
    }

    private static InjectedFault? _fault;

    /// <summary>Sets the mode and where the one warning line goes (a console, a log); the next step checks again.</summary>
    public static void Configure(NumericsMode mode, Action<string>? warn = null)
    {
        lock (Gate)
        {
            if (mode != Mode) { _checkedFp32 = _checkedBf16 = false; DeviceChecks.Clear(); }
            Mode = mode;
            if (warn is not null) _warn = warn;
        }
    }

    /// <summary>
    /// Settles what a computation runs on (a stage, a prediction): the numerics mode, the device (one that cannot be
    /// used is one clear error here, before any work), and on CUDA TF32 and determinism. <paramref name="say"/> takes the
    /// one-line notes (auto's choice, the one warning).
    /// </summary>
    public static Device Prepare(ComputeConfig compute, string deviceSetting, Action<string>? say)
    {
        Configure(compute.Numerics, say);
        var device = DeviceChoice.Resolve(deviceSetting, say);
        DeviceChoice.Prepare(device, compute.Tf32, compute.Deterministic, say);
        return device;
    }

    /// <summary>Back to libtorch as shipped, nothing checked (tests).</summary>
    public static void Reset(NumericsMode mode = NumericsMode.Auto)
    {
        lock (Gate)
        {
            if (Path == KernelPath.OneDnnOff) AtenContext.MkldnnEnabled = true;
            NnpackSwitch.Restore();
            Path = KernelPath.OneDnn;
            Mode = mode;
            Report = null;
            Attempts = [];
            _checkedFp32 = _checkedBf16 = false;
            DeviceChecks.Clear();
        }
    }

    /// <summary>What the results computed from now on record (on the CPU).</summary>
    public static ComputeRecord Record => RecordOn(TorchSharp.torch.CPU);

    /// <summary>What a result computed on <paramref name="device"/> records: the CPU's kernel path and check, or the accelerator's.</summary>
    public static ComputeRecord RecordOn(Device device)
    {
        lock (Gate)
        {
            var report = ReportOn(device);
            var verdict = Mode == NumericsMode.Off || report is null ? "unchecked" : report.Passed ? "passed" : "failed";
            bool cpu = device.type == DeviceType.CPU;
            return new(CpuDescription.Model, cpu ? Path.Name() : $"{device.type.ToString().ToLowerInvariant()} ({NumericsCheck.AcceleratorKernels(device, Tf32(device))})",
                verdict, cpu ? "cpu" : device.ToString(), LibTorchFolder.Describe(), TorchSharp.torch.get_num_threads());
        }
    }

    /// <summary>The last check of what computes on <paramref name="device"/> (with its current TF32 setting), or null before the first.</summary>
    public static NumericsReport? ReportOn(Device device)
    {
        lock (Gate) return device.type == DeviceType.CPU ? Report : DeviceChecks.TryGetValue(DeviceKey(device), out var done) ? done.Report : null;
    }

    /// <summary>
    /// Checks what computes on <paramref name="device"/> once: the CPU's backend (<see cref="EnsureChecked(bool)"/>), or
    /// an accelerator's kernels in fp32 as it computes them (TF32 where on) and bf16 when asked. An accelerator that
    /// fails throws <see cref="NumericsException"/> every time it is asked again (auto has nothing to switch to there).
    /// </summary>
    public static void EnsureChecked(Device device, bool bf16 = false)
    {
        if (device.type == DeviceType.CPU) { EnsureChecked(bf16); return; }
        if (device.type == DeviceType.META) return; // shapes only: no number is computed there (the device-plumbing tests)
        lock (Gate)
        {
            if (Mode == NumericsMode.Off) return;
            var key = DeviceKey(device);
            bool known = DeviceChecks.TryGetValue(key, out var done);
            if (!known || (bf16 && !done.Bf16))
            {
                bool withBf16 = bf16 || (known && done.Bf16);
                done = (NumericsCheck.RunOn(device, withBf16, Tf32(device)), withBf16);
                DeviceChecks[key] = done;
            }
            if (!done.Report.Passed)
                throw new NumericsException($"numerics self-check failed on {done.Report.Accelerator}: {done.Report.DescribeFailures()}. " +
                    $"Nothing was computed there. 'petseg doctor --device {device}' shows every check; " +
                    (Tf32(device) ? "compute: { tf32: false } computes fp32 without TF32; " : "") +
                    "compute: { device: cpu } computes on the CPU's checked kernels.");
        }
    }

    private static string DeviceKey(Device device) => $"{device}{(Tf32(device) ? " tf32" : "")}";

    /// <summary>Whether fp32 convolutions or matmuls on <paramref name="device"/> run in TF32 (<see cref="DeviceChoice.Prepare"/> sets both).</summary>
    private static bool Tf32(Device device) =>
        device.type == DeviceType.CUDA && (TorchSharp.torch.backends.cudnn.allow_tf32 || TorchSharp.torch.backends.cuda.matmul.allow_tf32);

    /// <summary>Checks the CPU's backend once (fp32, and bf16 when <paramref name="bf16"/> is first asked for) and settles the path.</summary>
    public static void EnsureChecked(bool bf16 = false)
    {
        lock (Gate)
        {
            NnpackSwitch.Off(); // before the first computation, checked or not
            if (Mode == NumericsMode.Off) return;
            if (_checkedFp32 && (!bf16 || _checkedBf16)) return;
            bool withBf16 = bf16 || _checkedBf16;
            var report = NumericsCheck.Run(withBf16);
            var first = report;
            var attempts = new List<NumericsReport> { report };
            while (!report.Passed && Mode == NumericsMode.Auto && Next(Path) is { } next)
            {
                Switch(next);
                report = NumericsCheck.Run(withBf16);
                attempts.Add(report);
            }
            Report = report;
            Attempts = attempts;
            if (!report.Passed)
                throw new NumericsException(Mode == NumericsMode.Strict
                    ? $"numerics self-check failed on this CPU ({CpuDescription.Model}) with {Path.Name()}: {report.DescribeFailures()}. " +
                      "Nothing was computed. 'petseg doctor' shows every check; compute: { numerics: auto } (or --numerics auto) uses a correct path where one exists."
                    : $"numerics self-check failed on this CPU ({CpuDescription.Model}) on every kernel path, the last {Path.Name()}: {report.DescribeFailures()}. " +
                      "Training here would learn from wrong numbers, so it stops. 'petseg doctor' shows every check.");
            _checkedFp32 = true;
            _checkedBf16 |= withBf16;
            if (Path != KernelPath.OneDnn && first.Path == KernelPath.OneDnn && !first.Passed)
                _warn?.Invoke($"warning: this CPU's default kernels fail the numerics self-check ({first.DescribeFailures(2)}); " +
                              $"computing with {Path.Name()}, which passes ('petseg doctor' for details).");
        }
    }

    private static KernelPath? Next(KernelPath path) => path switch
    {
        KernelPath.OneDnn => KernelPath.PaddedNarrowConvolutions,
        KernelPath.PaddedNarrowConvolutions when AtenContext.IsAvailable => KernelPath.OneDnnOff,
        _ => null,
    };

    /// <summary>Moves to <paramref name="path"/> (doctor and the benchmarks compare paths; auto moves forward only).</summary>
    public static void Switch(KernelPath path)
    {
        lock (Gate)
        {
            if (path == KernelPath.OneDnnOff || Path == KernelPath.OneDnnOff) AtenContext.MkldnnEnabled = path != KernelPath.OneDnnOff;
            Path = path;
        }
    }
}
