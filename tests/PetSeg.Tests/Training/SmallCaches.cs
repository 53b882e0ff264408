using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Training;

/// <summary>Synthetic train/test caches at small sizes, built once for the training tests.</summary>
public sealed class SmallCaches : IDisposable
{
    public TempDir Dir { get; } = new();
    public string TrainPath { get; }
    public string TestPath { get; }

    public SmallCaches()
    {
        var root = Dir["pets"];
        SyntheticPetGenerator.WriteLayout(root, new SyntheticPetOptions { Count = 192, Seed = 21, MinWidth = 72, MaxWidth = 110, MinHeight = 64, MaxHeight = 100, Quirks = false });
        TrainPath = Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), Dir["trainval.petc"], new PreprocessOptions(64, 64)).Path;
        TestPath = Preprocessor.Run(OxfordPetDataset.Open(root, "test"), Dir["test.petc"], new PreprocessOptions(64, 64)).Path;
    }

    public void Dispose() => Dir.Dispose();
}
