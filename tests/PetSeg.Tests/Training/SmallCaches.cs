using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Data.Synthetic;
using PetSeg.Tests.Support;

namespace PetSeg.Tests.Training;

/// <summary>
/// Synthetic train/test caches at 32², built once for the training tests: the loop's bookkeeping (resume, validation,
/// patience) needs steps, not pixels, and the models learn these pets at 32² as at 64² in half the time.
/// </summary>
public sealed class SmallCaches : IDisposable
{
    public const int Size = 32;

    public TempDir Dir { get; } = new();
    public string TrainPath { get; }
    public string TestPath { get; }

    public SmallCaches()
    {
        var root = Dir["pets"];
        SyntheticPetGenerator.WriteLayout(root, new SyntheticPetOptions { Count = 192, Seed = 21, MinWidth = 72, MaxWidth = 110, MinHeight = 64, MaxHeight = 100, Quirks = false });
        TrainPath = Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), Dir["trainval.petc"], new PreprocessOptions(Size, Size)).Path;
        TestPath = Preprocessor.Run(OxfordPetDataset.Open(root, "test"), Dir["test.petc"], new PreprocessOptions(Size, Size)).Path;
    }

    public void Dispose() => Dir.Dispose();
}
