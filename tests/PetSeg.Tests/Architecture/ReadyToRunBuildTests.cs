using System.Reflection;
using System.Reflection.PortableExecutable;

namespace PetSeg.Tests.Architecture;

/// <summary>
/// The build precompiles the program's start-up (Directory.Build.targets): the assemblies every command JIT-compiled
/// before are ReadyToRun images in the folder the petseg processes start from, and ImageSharp is left as IL.
/// </summary>
public sealed class ReadyToRunBuildTests
{
    private static readonly string[] Precompiled = ["PetSeg", "PetSeg.Cli", "TorchSharp", "Spectre.Console", "Spectre.Console.Cli", "YamlDotNet"];

    /// <summary>A ReadyToRun image carries a native header beside its IL (the CLI header's ManagedNativeHeader).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    [SkippableFact]
    public void The_start_up_assemblies_are_precompiled_and_imagesharp_is_left_to_the_jit()
    {
        var built = typeof(ReadyToRunBuildTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PetSegReadyToRun")?.Value;
        Skip.If(built != "true", "built without ReadyToRun (-p:PetSegReadyToRun=false, or an OS or architecture crossgen2 does not target)");
        var il = Precompiled.Where(name => !IsReadyToRun(Path.Combine(AppContext.BaseDirectory, name + ".dll"))).ToList();
        Assert.True(il.Count == 0, $"IL only, not precompiled: {string.Join(", ", il)}");
        Assert.False(IsReadyToRun(Path.Combine(AppContext.BaseDirectory, "SixLabors.ImageSharp.dll")));
        Assert.False(IsReadyToRun(typeof(ReadyToRunBuildTests).Assembly.Location)); // the tests themselves are not started by users
    }
}
