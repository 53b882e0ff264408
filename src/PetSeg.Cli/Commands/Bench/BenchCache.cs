using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;

namespace PetSeg.Cli.Commands.Bench;

/// <summary>The benchmarks' tensor cache: built once by the preprocess stage's own <see cref="Preprocessor"/> from generated pairs, then reused.</summary>
internal static class BenchCache
{
    public static TensorCache Open(string root, string cachePath, int size)
    {
        if (!File.Exists(cachePath)) Preprocessor.Run(OxfordPetDataset.Open(root, "trainval"), cachePath, new PreprocessOptions(size, size));
        return TensorCache.Open(cachePath);
    }
}
