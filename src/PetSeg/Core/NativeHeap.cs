using System.Runtime.InteropServices;

namespace PetSeg.Core;

/// <summary>
/// Makes glibc keep freed native memory for reuse instead of returning it to the kernel. libtorch allocates every
/// activation and gradient with <c>malloc</c>; glibc serves blocks over its mmap threshold (at most 32 MB) from fresh
/// <c>mmap</c>s and unmaps them on free, so each training step faults in and zeroes all its large tensors again —
/// 1.6 million page faults per 8 Unet steps at 224², a third of the step time (issue #14). Served from the heap and
/// never trimmed, the same blocks are reused without touching the kernel: the process keeps its peak (which it reaches
/// anyway on every step) until it exits, as PyTorch's own caching allocators do. One limit is glibc's: a thread other
/// than the main one allocates from heaps of at most 64 MB, so a larger block made there still gets its own mapping
/// (bf16 activations at batch 16 and 224² are ≤ 52 MB; the fp32 ones of SimpleUNet's first block are 103 MB).
/// </summary>
public static class NativeHeap
{
    /// <summary>Set to <c>system</c> to keep glibc's defaults (for measuring what this changes).</summary>
    public const string Variable = "PETSEG_NATIVE_HEAP";

    // malloc.h
    private const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_MAX = -4;

    private static readonly Lock Gate = new();
    private static string? _mode;

    /// <summary>What the process runs with: "kept" (configured here) or "system" (glibc's defaults).</summary>
    public static string Mode => _mode ?? "system";

    /// <summary>Configures the heap once per process; later calls return the first answer.</summary>
    public static string Configure()
    {
        lock (Gate)
        {
            if (_mode is not null) return _mode;
            _mode = Environment.GetEnvironmentVariable(Variable) == "system" || !OperatingSystem.IsLinux() || !TryKeepFreedMemory()
                ? "system"
                : "kept";
            return _mode;
        }
    }

    private static bool TryKeepFreedMemory()
    {
        try
        {
            // Order matters: no new mmapped blocks first, then never give the top of the heap back, and grow it in
            // 64 MB steps so a step's first allocations do not each call brk.
            return Mallopt(M_MMAP_MAX, 0) == 1
                   && Mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1
                   && Mallopt(M_TOP_PAD, 64 << 20) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (musl has no tunable allocator): nothing to configure
        }
    }

    /// <summary>
    /// glibc's own account of the native heap, all arenas (mallinfo2): bytes obtained by <c>brk</c>/arena heaps, bytes
    /// in live blocks, bytes in separately mapped blocks. Null where glibc is absent. What separates a leak (in-use
    /// bytes grow) from fragmentation (arena grows, in-use does not) when RSS creeps.
    /// </summary>
    public static NativeHeapUsage? Usage()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var m = MallInfo2();
            return new NativeHeapUsage((long)m.arena, (long)m.uordblks, (long)m.hblkhd);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // not glibc, or glibc < 2.33
        }
    }

    /// <summary>
    /// Returns the free memory of every arena to the kernel (glibc's <c>malloc_trim(0)</c>, which also releases free pages
    /// inside the heap), so the next allocations fault in only what they touch: how a measurement sees a step's own
    /// peak. False where glibc is absent.
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { MallocTrim(0); return true; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [StructLayout(LayoutKind.Sequential)]
    private struct MallocInfo2
    {
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallocInfo2 MallInfo2();
}
