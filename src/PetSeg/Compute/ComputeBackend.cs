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
            if (mode != Mode) { _checkedFp32 = _checkedBf16 = false; }
            Mode = mode;
            if (warn is not null) _warn = warn;
        }
    }

    /// <summary>Back to libtorch as shipped, nothing checked (tests).</summary>
    public static void Reset(NumericsMode mode = NumericsMode.Auto)
    {
        lock (Gate)
        {
            if (Path == KernelPath.OneDnnOff) AtenContext.MkldnnEnabled = true;
            Path = KernelPath.OneDnn;
            Mode = mode;
            Report = null;
            Attempts = [];
            _checkedFp32 = _checkedBf16 = false;
        }
    }

    /// <summary>What the results computed from now on record (on the CPU).</summary>
    public static ComputeRecord Record => RecordOn(TorchSharp.torch.CPU);

    /// <summary>What a result computed on <paramref name="device"/> records. The self-check covers the CPU's kernels; on a GPU it is recorded as not applying.</summary>
    public static ComputeRecord RecordOn(TorchSharp.torch.Device device) => new(CpuDescription.Model,
        device.type == TorchSharp.DeviceType.CPU ? Path.Name() : "cuda (cuDNN/cuBLAS)",
        device.type != TorchSharp.DeviceType.CPU || Mode == NumericsMode.Off || Report is null ? "unchecked" : Report.Passed ? "passed" : "failed",
        device.type == TorchSharp.DeviceType.CPU ? "cpu" : device.ToString());

    /// <summary>Checks the backend once (fp32, and bf16 when <paramref name="bf16"/> is first asked for) and settles the path.</summary>
    public static void EnsureChecked(bool bf16 = false)
    {
        lock (Gate)
        {
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
