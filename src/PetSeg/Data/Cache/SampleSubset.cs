using static TorchSharp.torch;

namespace PetSeg.Data.Cache;

/// <summary>Some samples of a set, by their indices there (kept in the order given): a view, nothing is copied.</summary>
public sealed class SampleSubset : ISampleSet
{
    private readonly ISampleSet _source;
    private readonly int[] _indices;

    public SampleSubset(ISampleSet source, IReadOnlyList<int> indices)
    {
        foreach (var i in indices)
            if ((uint)i >= (uint)source.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"sample {i} outside 0..{source.Count - 1}");
        (_source, _indices) = (source, [.. indices]);
        Entries = [.. _indices.Select(i => source.Entries[i])];
    }

    public int Count => _indices.Length;
    public int Width => _source.Width;
    public int Height => _source.Height;
    public IReadOnlyList<TensorCacheEntry> Entries { get; }

    public ReadOnlySpan<byte> Mask(int i) => _source.Mask(_indices[i]);

    public (Tensor Images, Tensor Masks) ReadBatch(ReadOnlySpan<int> indices)
    {
        var mapped = new int[indices.Length];
        for (int k = 0; k < indices.Length; k++) mapped[k] = _indices[indices[k]];
        return _source.ReadBatch(mapped);
    }
}
