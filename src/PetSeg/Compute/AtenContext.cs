using System.Runtime.InteropServices;

namespace PetSeg.Compute;

/// <summary>
/// libtorch's global switches (<c>at::globalContext()</c>'s setters) that TorchSharp 0.107 does not bind:
/// <c>torch.backends.mkldnn.enabled</c>, <c>torch.backends.cudnn.deterministic</c> / <c>.benchmark</c>. Resolved from
/// the libtorch_cpu already in the process by their Itanium C++ ABI names (Linux, macOS; MSVC mangles differently and
/// the switches report themselves unavailable).
/// </summary>
public static class AtenContext
{
    private delegate IntPtr GlobalContext();
    private delegate void SetBool(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);
    [return: MarshalAs(UnmanagedType.U1)] private delegate bool GetBool(IntPtr context);

    private static readonly Lazy<(IntPtr Library, IntPtr Context)?> Bound = new(Bind);

    public static bool IsAvailable => Bound.Value is not null;

    /// <summary>oneDNN for every operator that has a oneDNN kernel (convolutions above all).</summary>
    public static bool MkldnnEnabled
    {
        get => Function<GetBool>("_ZNK2at7Context17userEnabledMkldnnEv") is not { } get || get(Bound.Value!.Value.Context);
        set => Setter("_ZN2at7Context20setUserEnabledMkldnnEb")(value);
    }

    /// <summary>NNPACK for fp32 convolutions (batches of 16 or more, when oneDNN does not take them); null where the switch cannot be reached.</summary>
    public static bool? NnpackEnabled => Function<GetBool>("_ZNK2at7Context17userEnabledNNPACKEv") is { } get ? get(Bound.Value!.Value.Context) : null;

    /// <returns>false where the switch cannot be reached.</returns>
    public static bool TrySetNnpack(bool value) => TrySet("_ZN2at7Context20setUserEnabledNNPACKEb", value);

    /// <summary>cuDNN picks only deterministic algorithms (what <c>compute.deterministic</c> asks on CUDA).</summary>
    /// <returns>false where the switch cannot be reached (an MSVC-mangled Windows build, a libtorch that renamed it).</returns>
    public static bool TrySetDeterministicCuDnn(bool value) => TrySet("_ZN2at7Context21setDeterministicCuDNNEb", value);

    /// <summary>cuDNN benchmarks algorithms per shape (faster, not reproducible run to run).</summary>
    /// <returns>false where the switch cannot be reached.</returns>
    public static bool TrySetBenchmarkCuDnn(bool value) => TrySet("_ZN2at7Context17setBenchmarkCuDNNEb", value);

    /// <summary>Calls the setter <paramref name="symbol"/> when this libtorch exports it; false when it does not.</summary>
    internal static bool TrySet(string symbol, bool value)
    {
        if (Function<SetBool>(symbol) is not { } set) return false;
        set(Bound.Value!.Value.Context, value);
        return true;
    }

    private static Action<bool> Setter(string symbol)
    {
        var set = Function<SetBool>(symbol) ?? throw new NumericsException($"libtorch's {symbol} was not found: this switch is unavailable on this platform.");
        return value => set(Bound.Value!.Value.Context, value);
    }

    private static T? Function<T>(string symbol) where T : Delegate =>
        Bound.Value is { } b && NativeLibrary.TryGetExport(b.Library, symbol, out var f) ? Marshal.GetDelegateForFunctionPointer<T>(f) : null;

    private static (IntPtr, IntPtr)? Bind()
    {
        using (TorchSharp.torch.zeros(1)) { } // loads libtorch if nothing has yet
        if (!TryOpenLoaded(out var handle) || !NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var context)) return null;
        return (handle, Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)());
    }

    /// <summary>The libtorch_cpu already in the process: by its name (the loader returns the loaded one), else by its path in /proc/self/maps.</summary>
    private static bool TryOpenLoaded(out IntPtr handle)
    {
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib" })
            if (NativeLibrary.TryLoad(name, out handle)) return true;
        handle = IntPtr.Zero;
        if (!File.Exists("/proc/self/maps")) return false;
        var path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
            .FirstOrDefault(p => p is not null && Path.GetFileName(p) == "libtorch_cpu.so");
        return path is not null && NativeLibrary.TryLoad(path, out handle);
    }
}
