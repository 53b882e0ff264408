using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using static TorchSharp.torch;

namespace PetSeg.Data.Cache;

/// <summary>
/// Read side of a <c>.petc</c> file: memory-mapped, so a split is never loaded whole into RAM and a batch is a few
/// memcpy's straight into tensor storage. The digest in the trailer is checked on open unless told otherwise.
/// </summary>
public sealed unsafe class TensorCache : ISampleSet, IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    public string Path { get; }
    public TensorCacheHeader Header { get; }
    public IReadOnlyList<TensorCacheEntry> Entries { get; }
    /// <summary>Content digest recorded in the file (XxHash128 of header, images, masks and index).</summary>
    public string Digest { get; }
    public int Count => Header.Count;
    public int Height => Header.Height;
    public int Width => Header.Width;

    private TensorCache(string path, bool verify)
    {
        Path = path;
        var length = new FileInfo(path).Length;
        if (length < TensorCacheHeader.HeaderSize + TensorCacheHeader.TrailerSize)
            throw new TensorCacheException($"{path}: file is truncated ({length} bytes). Delete it and rerun the Preprocess stage.");
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
        try
        {
            Header = TensorCacheHeader.Parse(new ReadOnlySpan<byte>(_base, TensorCacheHeader.HeaderSize), path);
            if (Header.FileLength != length)
                throw new TensorCacheException($"{path}: expected {Header.FileLength:N0} bytes, found {length:N0} (truncated or appended to). Rerun the Preprocess stage.");
            var trailer = new ReadOnlySpan<byte>(_base + Header.PayloadEnd, TensorCacheHeader.TrailerSize);
            if (!trailer[16..].SequenceEqual(TensorCacheHeader.EndMagic))
                throw new TensorCacheException($"{path}: trailer missing (the file was not completely written). Rerun the Preprocess stage.");
            Digest = IO.Digest.Format(trailer[..16]);
            if (verify)
            {
                var actual = HashPayload(_base, Header.PayloadEnd);
                if (actual != Digest)
                    throw new TensorCacheException($"{path}: content digest {actual} does not match the recorded {Digest}: the file is corrupt. Delete it and rerun the Preprocess stage.");
            }
            Entries = TensorCacheHeader.DecodeIndex(new ReadOnlySpan<byte>(_base + Header.IndexOffset, checked((int)Header.IndexLength)));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static TensorCache Open(string path, bool verify = true)
    {
        if (!File.Exists(path)) throw new TensorCacheException($"{path}: cache file not found. Run the Preprocess stage first.");
        return new TensorCache(path, verify);
    }

    public ReadOnlySpan<byte> Image(int i) => new(_base + Header.ImagesOffset + CheckIndex(i) * Header.ImageBytes, checked((int)Header.ImageBytes));
    public ReadOnlySpan<byte> Mask(int i) => new(_base + Header.MasksOffset + CheckIndex(i) * Header.MaskBytes, checked((int)Header.MaskBytes));

    /// <summary>A batch as uint8 tensors: images [B,3,H,W] and masks [B,H,W], in the order of <paramref name="indices"/>.</summary>
    public (Tensor Images, Tensor Masks) ReadBatch(ReadOnlySpan<int> indices)
    {
        var images = empty([indices.Length, Header.Channels, Header.Height, Header.Width], ScalarType.Byte);
        var masks = empty([indices.Length, Header.Height, Header.Width], ScalarType.Byte);
        var imgDst = images.bytes;
        var maskDst = masks.bytes;
        int ib = (int)Header.ImageBytes, mb = (int)Header.MaskBytes;
        for (int k = 0; k < indices.Length; k++)
        {
            Image(indices[k]).CopyTo(imgDst.Slice(k * ib, ib));
            Mask(indices[k]).CopyTo(maskDst.Slice(k * mb, mb));
        }
        return (images, masks);
    }

    private long CheckIndex(int i) =>
        (uint)i < (uint)Header.Count ? i : throw new ArgumentOutOfRangeException(nameof(i), $"sample {i} outside 0..{Header.Count - 1} of {Path}");

    internal static string HashPayload(byte* start, long length)
    {
        var hash = new XxHash128();
        for (long off = 0; off < length; off += 1 << 30)
            hash.Append(new ReadOnlySpan<byte>(start + off, (int)Math.Min(1 << 30, length - off)));
        return IO.Digest.Format(hash.GetCurrentHash());
    }

    public void Dispose()
    {
        if (_base != null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view?.Dispose();
        _map?.Dispose();
    }
}
