using TorchSharp;
using static TorchSharp.torch;

namespace PetSeg.Compute;

/// <summary>
/// <c>compute: { device: auto | cpu | cuda | cuda:N }</c> resolved to a libtorch device: <c>auto</c> takes the first
/// CUDA device when one works and says so, <c>cuda</c> without a usable CUDA libtorch is one clear error naming what is
/// missing and how to get it. The device is never part of a stage key: it is recorded with each result.
/// </summary>
public static class DeviceChoice
{
    public static readonly IReadOnlyList<string> Forms = ["auto", "cpu", "cuda", "cuda:N"];

    private static int _autoSaid;

    /// <summary>Lets the next <c>auto</c> say its line again (tests).</summary>
    internal static void ForgetAutoNote() => Interlocked.Exchange(ref _autoSaid, 0);

    /// <summary>Whether <paramref name="text"/> is a device setting (checked when pipeline.yaml is loaded).</summary>
    public static bool IsValid(string text) =>
        text is "auto" or "cpu" or "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(text[5..], out var i) && i >= 0);

    /// <summary>Why <paramref name="text"/> given to <paramref name="option"/> is not a device setting, or null when it is one.</summary>
    public static string? Invalid(string option, string text) =>
        IsValid(text) ? null : $"{option} must be one of {string.Join(", ", Forms)}, not '{text}'";

    /// <summary>Whether a setting asks for a CUDA device (<c>cuda</c>, <c>cuda:N</c>; <c>auto</c> may land anywhere).</summary>
    public static bool IsCuda(string setting) => setting.StartsWith("cuda", StringComparison.Ordinal);

    /// <param name="note">Receives the one line <c>auto</c> prints about what it chose.</param>
    public static Device Resolve(string setting, Action<string>? note = null)
    {
        if (!IsValid(setting)) throw new DeviceException($"device '{setting}': expected one of {string.Join(", ", Forms)}");
        if (setting == "cpu") return CPU;
        bool available = CudaAvailable();
        if (setting == "auto")
        {
            var chosen = available ? new Device(DeviceType.CUDA, 0) : CPU;
            if (note is not null && Interlocked.Exchange(ref _autoSaid, 1) == 0) // one line per process, not one per stage
                note(available ? $"device: auto → cuda:0 ({cuda.device_count()} CUDA device(s) visible)"
                               : "device: auto → cpu (no CUDA device: this libtorch has no CUDA backend, or no GPU is visible)");
            return chosen;
        }
        if (!available)
            throw new DeviceException($"device {setting}: no usable CUDA libtorch in this process ({WhyNoCuda()}). Get one of: " +
                "a CUDA build (dotnet build -p:TorchDevice=cuda; its TorchSharp-cuda-linux/-windows packages come from the public NuGet), " +
                $"or an installed PyTorch/libtorch with CUDA through {LibTorchFolder.Variable}=<its torch/lib folder> or compute.libtorch. " +
                "Or set compute.device: cpu (or auto).");
        int index = setting == "cuda" ? 0 : int.Parse(setting[5..]);
        int count = (int)cuda.device_count();
        if (index >= count) throw new DeviceException($"device {setting}: only {count} CUDA device(s) visible (cuda:0…cuda:{count - 1}); check CUDA_VISIBLE_DEVICES.");
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>Why TorchSharp could not start its CUDA backend, when it threw (a missing library or symbol is named there).</summary>
    private static string? _cudaFailure;

    private static bool CudaAvailable()
    {
        try { return cuda.is_available(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _cudaFailure = e.Message.Split('\n')[0];
            return false;
        }
    }

    private static string WhyNoCuda() => (LibTorchFolder.Loaded is { } folder
        ? $"the libtorch loaded from {folder} has {(File.Exists(Path.Combine(folder, "libtorch_cuda.so")) ? "CUDA libraries but no visible GPU" : "no libtorch_cuda")}"
        : "this build carries the CPU-only libtorch package (TorchSharp-cpu)") + (_cudaFailure is { } f ? $"; TorchSharp said: {f}" : "");

    private static int _deterministicWarned;

    /// <summary>
    /// What a CUDA device needs before the first step: TF32 for fp32 matmuls and convolutions (<c>compute.tf32</c>), and
    /// cuDNN's deterministic algorithms unless <c>compute.deterministic: false</c>. Nothing to do on the CPU. Where
    /// libtorch's switch cannot be reached (TorchSharp does not bind it; <see cref="AtenContext"/> finds it by its
    /// Itanium name, so not in a Windows build), training still runs: <paramref name="warn"/> hears once that
    /// determinism is not enforced.
    /// </summary>
    public static void Prepare(Device device, bool tf32, bool deterministic, Action<string>? warn = null)
    {
        if (device.type != DeviceType.CUDA) return;
        backends.cuda.matmul.allow_tf32 = tf32;
        backends.cudnn.allow_tf32 = tf32;
        bool reached = AtenContext.TrySetDeterministicCuDnn(deterministic) & AtenContext.TrySetBenchmarkCuDnn(!deterministic);
        if (!reached && deterministic && warn is not null && Interlocked.Exchange(ref _deterministicWarned, 1) == 0)
            warn("warning: compute.deterministic cannot be enforced here: libtorch's cuDNN switches (at::Context::setDeterministicCuDNN) " +
                 "are not reachable on this platform, and TorchSharp 0.107 does not bind them. cuDNN keeps its default algorithm choice " +
                 "(no benchmarking), so two runs on this GPU may differ in their last bits.");
    }
}
