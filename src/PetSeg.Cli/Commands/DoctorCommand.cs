using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using PetSeg.Compute;
using PetSeg.Core;
using PetSeg.IO;
using PetSeg.Training.Memory;
using Spectre.Console;

namespace PetSeg.Cli.Commands;

/// <summary>
/// <c>petseg doctor</c>: the machine as libtorch sees it and the numerics self-check that runs before every training
/// or evaluation, with each check's worst error, the kernel path <c>auto</c> settles on, and a verdict (exit 1 when
/// nothing that may be used passes).
/// </summary>
[Description("Check that this machine's compute kernels give correct numbers (each against float64) — the CPU's, and a GPU's with --device cuda — show the CPU, libtorch, oneDNN and CUDA devices, and say which kernel path training would use.")]
public sealed class DoctorCommand : GuardedCommand<DoctorSettings>
{
    protected override Task<int> RunAsync(DoctorSettings s, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var device = DeviceChoice.Resolve(s.Device); // cuda without CUDA: one clear error, exit 1, before anything is checked
        NumericsModes.TryParse(s.Numerics, out var mode);
        ComputeBackend.Reset(mode);
        string? error = null;
        try { ComputeBackend.EnsureChecked(s.Bf16); }
        catch (NumericsException e) { error = e.Message; }
        // The accelerator training would use, as it would compute (TF32 unless --no-tf32): checked on its own.
        DeviceChoice.Prepare(device, tf32: !s.NoTf32, deterministic: true, System.Console.Error.WriteLine);
        string? deviceError = null;
        if (device.type != TorchSharp.DeviceType.CPU)
        {
            try { ComputeBackend.EnsureChecked(device, s.Bf16); }
            catch (NumericsException e) { deviceError = e.Message; }
            // A device that cannot even run the check (a CUDA error, a libtorch symbol the shim lacks) is a diagnosis too.
            catch (Exception e) when (e is not OutOfMemoryException) { deviceError = $"{device} could not run the self-check: {e.GetType().Name}: {e.Message.Split('\n')[0]}"; }
        }
        var deviceReport = device.type == TorchSharp.DeviceType.CPU ? null : ComputeBackend.ReportOn(device);
        var passed = mode == NumericsMode.Off || (error is null && ComputeBackend.Report?.Passed == true && deviceError is null);
        var verdict = mode == NumericsMode.Off ? "unchecked (numerics: off)"
            : error is not null ? "FAILED: " + error
            : deviceError is not null ? "FAILED: " + deviceError
            : (ComputeBackend.Attempts.Count > 1 ? $"passed on {ComputeBackend.Path.Name()} (the default kernels fail here; auto uses this path)"
                : "passed: the default kernels are correct here") + (deviceReport is null ? "" : $"; {deviceReport.Accelerator} passed too");
        // The memory a training would have now, beside the trainings the machine's ledger knows of.
        var ledger = MemoryLedger.ForThisMachine();
        var trainings = ledger.Others();
        MemoryRoom? room = null;
        string? memoryError = null;
        try { room = SystemMemory.This.Room(Environment.GetEnvironmentVariable(SystemMemory.LimitVariable), trainings); }
        catch (ConfigException e) { memoryError = e.Message; }
        var machine = new Machine(CpuDescription.Model, CpuDescription.InstructionSets, Bfloat16Hardware.IsAccelerated,
            TorchSharp.torch.get_num_threads(), LibTorchFolder.Describe(), BuildVersion.TorchSharp,
            AtenContext.IsAvailable ? AtenContext.MkldnnEnabled : null, mode.Name(), ComputeBackend.Fault == InjectedFault.None ? null : ComputeBackend.Fault.Name(),
            CudaDevices(), LibTorchFolder.Loaded, device.ToString(),
            Environment.GetEnvironmentVariable(OpenMpVariables.WaitPolicy) is { Length: > 0 } policy ? policy : null, SideBySideProcesses.Warning(),
            DiskSpace.FreeBytes(Directory.GetCurrentDirectory()), room, memoryError, ledger.Folder, trainings);
        var reports = deviceReport is null ? ComputeBackend.Attempts : [.. ComputeBackend.Attempts, deviceReport];
        if (s.Json) PrintJson(machine, reports, passed, verdict, clock.Elapsed);
        else Print(machine, reports, passed, verdict, clock.Elapsed);
        return Task.FromResult(passed ? 0 : 1);
    }

    private sealed record Machine(string Cpu, IReadOnlyList<string> InstructionSets, bool Bf16Hardware, int TorchThreads, string Libtorch,
        string TorchSharp, bool? OneDnnEnabled, string Numerics, string? InjectedFault, int CudaDevices, string? LibTorchFolder, string Device,
        string? WaitPolicy, string? SideBySide, long? DiskFree, MemoryRoom? Memory, string? MemoryError, string Ledger, IReadOnlyList<OtherTraining> Trainings);

    /// <summary>CUDA devices this libtorch can use (0 for a CPU-only libtorch).</summary>
    private static int CudaDevices()
    {
        try { return TorchSharp.torch.cuda.is_available() ? (int)TorchSharp.torch.cuda.device_count() : 0; }
        catch (Exception e) when (e is not OutOfMemoryException) { return 0; }
    }

    private static void Print(Machine m, IReadOnlyList<NumericsReport> reports, bool passed, string verdict, TimeSpan wall)
    {
        var facts = new Grid().AddColumn().AddColumn();
        void Fact(string name, string value) => facts.AddRow(new Markup($"[bold]{name}[/]"), new Text(value));
        Fact("petseg", BuildVersion.Text);
        Fact("CPU", m.Cpu);
        Fact("instruction sets", string.Join(" ", m.InstructionSets));
        Fact("bf16 hardware", m.Bf16Hardware ? "yes" : "no (bf16 is emulated: slow)");
        Fact("torch threads", m.TorchThreads.ToString());
        Fact("waiting threads", m.WaitPolicy is { } w ? $"{OpenMpVariables.WaitPolicy}={w}" : "spin, then sleep (libgomp's default)");
        Fact("libtorch", $"{m.Libtorch}, through TorchSharp {m.TorchSharp}");
        Fact("CUDA", m.CudaDevices > 0 ? $"{m.CudaDevices} device(s) (compute.device: auto uses cuda:0)" : "none (CPU-only libtorch or no GPU visible)");
        Fact("device checked", m.Device == "cpu" ? "cpu" : $"cpu and {m.Device}");
        Fact("oneDNN", m.OneDnnEnabled is { } on ? (on ? "on" : "off") : "on (no switch on this platform)");
        Fact("numerics mode", m.Numerics);
        Fact("disk (this folder)", m.DiskFree is { } free ? $"{DiskSpace.Size(free)} free" : "free space unknown"); // where artifacts/ goes by default
        Fact("memory", m.Memory is { } room ? $"{MemoryRoom.Size(room.Bytes)} more for a training ({room.Source})" : m.MemoryError ?? "unknown (no /proc here)");
        Fact("trainings here", (m.Trainings.Count == 0 ? "none" : string.Join("; ", m.Trainings.Select(o =>
            $"{o}: {(o.PeakBytes > 0 ? $"peaks at {MemoryRoom.Size(o.PeakBytes)}" : "small, not measured")}, holds {MemoryRoom.Size(o.ResidentBytes)}"))) + $" (memory ledger {m.Ledger})");
        if (m.InjectedFault is { } f) Fact("injected fault", $"{f} ({InjectedFaults.Variable})");
        AnsiConsole.Write(facts);
        if (m.SideBySide is { } sideBySide) System.Console.Error.WriteLine(sideBySide);
        foreach (var report in reports)
        {
            // One row per computation, one column per precision and thread count; a cell is the worst of forward,
            // input gradient and weight gradient, and names which went wrong.
            var columns = report.Results.Select(r => (r.Precision, r.Where)).Distinct().ToList();
            var table = new Table().Title($"{Markup.Escape(report.Title)} — {(report.Passed ? "[green]passed[/]" : "[red]failed[/]")} in {report.Duration.TotalMilliseconds:F0} ms")
                .AddColumn("computation");
            foreach (var (precision, where) in columns)
                table.AddColumn($"{precision}, {where} (tol {NumericsCheckResult.Format(report.Results.First(r => r.Precision == precision).Tolerance)})");
            foreach (var name in report.Results.Select(r => r.Name).Distinct())
                table.AddRow([Markup.Escape(name), .. columns.Select(c => report.Results.FirstOrDefault(r => r.Name == name && r.Precision == c.Precision && r.Where == c.Where) is { } r
                    ? r.Passed ? NumericsCheckResult.Format(r.Worst) : $"[red]WRONG: {Markup.Escape(r.Failure)}[/]" : "-")]);
            AnsiConsole.Write(table);
        }
        AnsiConsole.MarkupLine($"[bold]verdict:[/] {(passed ? "[green]" : "[red]")}{Markup.Escape(verdict)}[/]");
        AnsiConsole.MarkupLine($"errors are the worst element's, relative to the largest reference element (float64); doctor took {wall.TotalSeconds:F2} s");
    }

    private static void PrintJson(Machine m, IReadOnlyList<NumericsReport> reports, bool passed, string verdict, TimeSpan wall) =>
        System.Console.WriteLine(JsonSerializer.Serialize(new
        {
            petseg = BuildVersion.Text, cpu = m.Cpu, instruction_sets = m.InstructionSets, bf16_hardware = m.Bf16Hardware, torch_threads = m.TorchThreads,
            libtorch = m.Libtorch, libtorch_folder = m.LibTorchFolder, cuda_devices = m.CudaDevices, torchsharp = m.TorchSharp, onednn_enabled = m.OneDnnEnabled, numerics = m.Numerics, injected_fault = m.InjectedFault,
            device = m.Device, omp_wait_policy = m.WaitPolicy, side_by_side = m.SideBySide, disk_free_bytes = m.DiskFree,
            memory_available_bytes = m.Memory?.Bytes, memory_source = m.Memory?.Source, memory_error = m.MemoryError, memory_ledger = m.Ledger,
            trainings = m.Trainings.Select(o => new { pid = o.Pid, label = o.Label, peak_bytes = o.PeakBytes, resident_bytes = o.ResidentBytes }),
            attempts = reports.Select(a => new
            {
                path = a.Accelerator is null ? a.Path.Name() : null, accelerator = a.Accelerator, passed = a.Passed, milliseconds = Math.Round(a.Duration.TotalMilliseconds, 1),
                checks = a.Results.Select(r => new
                {
                    name = r.Name, precision = r.Precision, threads = r.Device is null ? r.Threads : (int?)null, device = r.Device, forward = r.Forward, input_gradient = r.InputGradient,
                    weight_gradient = r.WeightGradient, tolerance = r.Tolerance, passed = r.Passed, milliseconds = Math.Round(r.Milliseconds, 2),
                }),
            }),
            path = ComputeBackend.Path.Name(), passed, verdict, wall_seconds = Math.Round(wall.TotalSeconds, 3),
        }, JsonFiles.Options(indented: true)));
}
