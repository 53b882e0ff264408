using System.Runtime.Intrinsics.X86;

namespace PetSeg.Core;

/// <summary>
/// Whether this CPU computes bfloat16 natively. oneDNN's fast bf16 kernels need AMX-BF16 or AVX512-BF16 (and
/// AVX-NE-CONVERT on the AVX2 parts that have it); without them bf16 convolutions and matrix products fall back to
/// PyTorch's reference paths (im2col and a scalar bf16 gemm): on a 2-core AMD EPYC (Zen 3, AVX2 only) a Unet train step
/// at 224², batch 16, ran at 0.12 images/s in bf16 against 2.56 in fp32 (21× slower), evaluation 1.31 against 10.8.
/// Read from CPUID, which is what oneDNN asks, on any OS.
/// </summary>
public static class Bfloat16Hardware
{
    private static readonly Lazy<IReadOnlyList<string>> Found = new(Detect);

    /// <summary>The bf16 instruction sets this CPU has (empty: bf16 is emulated here).</summary>
    public static IReadOnlyList<string> Features => Found.Value;

    public static bool IsAccelerated => Found.Value.Count > 0;

    /// <summary>
    /// The warning for a configured bf16 <paramref name="setting"/> (precision, eval_precision), or null where bf16 is
    /// hardware. Precision is never switched for the user: results must depend on the configuration, not the machine.
    /// </summary>
    public static string? WarningFor(string setting) =>
        IsAccelerated ? null : $"warning: {setting} bf16, but {Describe()}; {setting}: fp32 is faster on this machine";

    /// <summary>One line for logs and benchmarks: what bf16 means on this machine.</summary>
    public static string Describe() => IsAccelerated
        ? $"this CPU computes bf16 natively ({string.Join(", ", Features)})"
        : "this CPU has no bf16 instructions (no AMX-BF16, AVX512-BF16 or AVX-NE-CONVERT): bf16 is emulated and slower than fp32 here";

    private static IReadOnlyList<string> Detect()
    {
        if (!X86Base.IsSupported) return []; // Arm and others: oneDNN's bf16 there is out of scope here
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return [];
        var (_, _, _, edx0) = X86Base.CpuId(7, 0);
        var (eax1, _, _, edx1) = X86Base.CpuId(7, 1);
        var found = new List<string>();
        if ((edx0 & (1 << 22)) != 0) found.Add("AMX-BF16");     // CPUID.(7,0):EDX[22]
        if ((eax1 & (1 << 5)) != 0) found.Add("AVX512-BF16");   // CPUID.(7,1):EAX[5]
        if ((edx1 & (1 << 5)) != 0) found.Add("AVX-NE-CONVERT"); // CPUID.(7,1):EDX[5]
        return found;
    }
}
