using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Data;

/// <summary>One small synthetic dataset (with the quirks) shared by the reader and preprocess tests; tests copy before mutating.</summary>
public sealed class SyntheticDataFixture : IDisposable
{
    public TempDir Dir { get; } = new();
    public string Root => Dir["oxford-iiit-pet"];
    public SyntheticPetGenerator.Layout Layout { get; }
    public static readonly SyntheticPetOptions Options = new() { Count = 24, Seed = 7, MinWidth = 90, MaxWidth = 130, MinHeight = 70, MaxHeight = 110 };

    public SyntheticDataFixture() => Layout = SyntheticPetGenerator.WriteLayout(Root, Options);

    public string CopyTo(string dest)
    {
        foreach (var f in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dest, Path.GetRelativePath(Root, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return dest;
    }

    public void Dispose() => Dir.Dispose();
}
