using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using PetSeg.Core;

namespace PetSeg.Compute;

/// <summary>The CPU as results and <c>petseg doctor</c> name it: model, and the instruction sets libtorch's kernels choose by.</summary>
public static class CpuDescription
{
    private static readonly Lazy<string> ModelName = new(() =>
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList(); // the first CPU's block
            var line = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            var family = lines.FirstOrDefault(l => l.StartsWith("cpu family", StringComparison.Ordinal));
            var model = lines.FirstOrDefault(l => l.StartsWith("model\t", StringComparison.Ordinal));
            string Value(string? l) => l is null ? "" : l[(l.IndexOf(':') + 1)..].Trim();
            if (line is not null)
                return Value(line) + (family is not null && model is not null ? $" (family {Value(family)}, model {Value(model)})" : "");
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    });

    /// <summary>E.g. "AMD EPYC (family 26, model 2)".</summary>
    public static string Model => ModelName.Value;

    /// <summary>The vector instruction sets present, as .NET detects them, and bf16 hardware (<see cref="Bfloat16Hardware"/>).</summary>
    public static IReadOnlyList<string> InstructionSets
    {
        get
        {
            var sets = new List<string>();
            void Add(bool present, string name) { if (present) sets.Add(name); }
            Add(Avx2.IsSupported, "avx2");
            Add(Fma.IsSupported, "fma");
            Add(Avx512F.IsSupported, "avx512f");
            Add(Avx512BW.IsSupported, "avx512bw");
            Add(Avx512Vbmi.IsSupported, "avx512vbmi");
            Add(AvxVnni.IsSupported, "avx-vnni");
            sets.AddRange(Bfloat16Hardware.Features);
            if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("neon");
            return sets;
        }
    }
}
