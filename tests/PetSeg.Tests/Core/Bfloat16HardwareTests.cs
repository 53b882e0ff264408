using PetSeg.Core;

namespace PetSeg.Tests.Core;

/// <summary>CPUID's answer against the kernel's: /proc/cpuinfo names the same bf16 features.</summary>
public sealed class Bfloat16HardwareTests
{
    [Fact]
    public void Cpuid_agrees_with_the_kernels_cpu_flags()
    {
        Assert.True(OperatingSystem.IsLinux(), "the suite runs on Linux");
        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal))
            .Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var expected = new[] { ("amx_bf16", "AMX-BF16"), ("avx512_bf16", "AVX512-BF16"), ("avx_ne_convert", "AVX-NE-CONVERT") }
            .Where(f => flags.Contains(f.Item1)).Select(f => f.Item2).ToList();
        Assert.Equal(expected, Bfloat16Hardware.Features);
        Assert.Equal(expected.Count > 0, Bfloat16Hardware.IsAccelerated);
        Assert.Contains(Bfloat16Hardware.IsAccelerated ? "natively" : "emulated", Bfloat16Hardware.Describe());
    }
}
