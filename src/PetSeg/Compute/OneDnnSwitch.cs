using System.Runtime.InteropServices;

namespace PetSeg.Compute;

/// <summary>
/// <c>torch.backends.mkldnn.enabled</c>, which TorchSharp 0.107 does not bind: libtorch_cpu exports
/// <c>at::globalContext()</c> and <c>at::Context::setUserEnabledMkldnn(bool)</c> / <c>userEnabledMkldnn()</c>
/// (Itanium C++ ABI names, so Linux and macOS; MSVC mangles differently and the switch reports itself unavailable).
/// Resolved after libtorch is loaded (the first tensor loads it), from the very library TorchSharp loaded.
/// </summary>
public static class OneDnnSwitch
{
    private delegate IntPtr GlobalContext();
    private delegate void SetEnabled(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    [return: MarshalAs(UnmanagedType.U1)] private delegate bool GetEnabled(IntPtr context);

    private sealed record Binding(IntPtr Context, SetEnabled Set, GetEnabled Get);

    private static readonly Lazy<Binding?> Bound = new(Bind);

    /// <summary>Whether this platform's libtorch exposes the switch.</summary>
    public static bool IsAvailable => Bound.Value is not null;

    /// <summary>oneDNN's state as libtorch reads it (true where the switch is unavailable: libtorch's default).</summary>
    public static bool Enabled
    {
        get => Bound.Value is not { } b || b.Get(b.Context);
        set
        {
            var b = Bound.Value ?? throw new NumericsException("oneDNN cannot be switched off on this platform: libtorch's at::Context symbols were not found.");
            b.Set(b.Context, value);
        }
    }

    private static Binding? Bind()
    {
        using (TorchSharp.torch.zeros(1)) { } // loads libtorch if nothing has yet
        if (!TryOpenLoaded(out var handle)) return null;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var context)
            || !NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledMkldnnEb", out var set)
            || !NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledMkldnnEv", out var get)) return null;
        return new Binding(Marshal.GetDelegateForFunctionPointer<GlobalContext>(context)(),
            Marshal.GetDelegateForFunctionPointer<SetEnabled>(set), Marshal.GetDelegateForFunctionPointer<GetEnabled>(get));
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
