using static TorchSharp.torch;

namespace PetSeg.Data.Cache;

/// <summary>
/// The samples a trainer or an evaluator reads: a whole preprocessed split (<see cref="TensorCache"/>) or a part of one
/// (<see cref="SampleSubset"/>, e.g. trainval without its validation images). Indices run from 0 to <see cref="Count"/> − 1.
/// </summary>
public interface ISampleSet
{
    int Count { get; }
    int Width { get; }
    int Height { get; }

    /// <summary>What each sample is (its file stem and source size), in index order.</summary>
    IReadOnlyList<TensorCacheEntry> Entries { get; }

    /// <summary>Sample <paramref name="i"/>'s mask, H×W labels, read in place (no tensor, no copy).</summary>
    ReadOnlySpan<byte> Mask(int i);

    /// <summary>A batch as uint8 tensors on the CPU: images [B,3,H,W] and masks [B,H,W], in the order of <paramref name="indices"/>.</summary>
    (Tensor Images, Tensor Masks) ReadBatch(ReadOnlySpan<int> indices);
}
