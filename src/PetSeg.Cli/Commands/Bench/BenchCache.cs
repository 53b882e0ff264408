using System.ComponentModel;
using System.Diagnostics;
using PetSeg.Cli.Commands;
using PetSeg.Core;
using PetSeg.Data.Cache;
using PetSeg.Data.Dataset;
using PetSeg.Inference;
using PetSeg.IO;
using PetSeg.Models;
using PetSeg.Models.Input;
using PetSeg.Models.Layers;
using PetSeg.Training;
using PetSeg.Training.Augmentation;
using PetSeg.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

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
