using System.Buffers.Binary;
using System.IO.Compression;
using PetSeg.Models.Weights.Pickle;
using static TorchSharp.torch;

namespace PetSeg.Models.Weights;

/// <summary>The three ways PyTorch weights arrive on disk.</summary>
public enum CheckpointFormat { Zip, Legacy, Safetensors }
