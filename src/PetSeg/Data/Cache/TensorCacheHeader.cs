using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace PetSeg.Data.Cache;

/// <summary>
/// Layout of a <c>.petc</c> cache file: uint8 images (N×3×H×W, CHW) and masks (N×H×W) in fixed-size slots so a
/// batch is a set of memcpy's from a memory map, plus an index of sample names and a content digest.
/// <code>
/// [0,128)        header: magic, version, count, height, width, channels, section offsets
/// [4096, ...)    images, slot i at ImagesOffset + i·3·H·W
/// [...]          masks,  slot i at MasksOffset + i·H·W
/// [...]          index: UTF-8 lines "stem\tsourceWidth\tsourceHeight" (a tile's: "\trow\tcolumn" after them)
/// last 32 bytes  XxHash128 of everything before it, then the end magic
/// </code>
/// </summary>
public sealed record TensorCacheHeader(int Count, int Height, int Width, int Channels, long ImagesOffset, long MasksOffset, long IndexOffset, long IndexLength)
{
    public static ReadOnlySpan<byte> Magic => "PETSEGC1"u8;
    public static ReadOnlySpan<byte> EndMagic => "PETSEGC1_END\0\0\0\0"u8;
    public const int Version = 1;
    public const int HeaderSize = 128;
    public const int TrailerSize = 32;
    public const int Alignment = 4096;

    public long ImageBytes => (long)Channels * Height * Width;
    public long MaskBytes => (long)Height * Width;
    public long PayloadEnd => IndexOffset + IndexLength;
    public long FileLength => PayloadEnd + TrailerSize;

    public static TensorCacheHeader ForSamples(int count, int height, int width, int indexLength)
    {
        long images = Alignment;
        long masks = images + (long)count * 3 * height * width;
        long index = masks + (long)count * height * width;
        return new TensorCacheHeader(count, height, width, 3, images, masks, index, indexLength);
    }

    public void WriteTo(Span<byte> dst)
    {
        dst[..HeaderSize].Clear();
        Magic.CopyTo(dst);
        BinaryPrimitives.WriteInt32LittleEndian(dst[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(dst[12..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(dst[16..], Height);
        BinaryPrimitives.WriteInt32LittleEndian(dst[20..], Width);
        BinaryPrimitives.WriteInt32LittleEndian(dst[24..], Channels);
        BinaryPrimitives.WriteInt64LittleEndian(dst[32..], ImagesOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dst[40..], MasksOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dst[48..], IndexOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dst[56..], IndexLength);
    }

    public static TensorCacheHeader Parse(ReadOnlySpan<byte> src, string path)
    {
        if (src.Length < HeaderSize || !src[..8].SequenceEqual(Magic))
            throw new TensorCacheException($"{path}: not a PetSeg tensor cache (bad magic). Delete it and rerun the Preprocess stage.");
        var version = BinaryPrimitives.ReadInt32LittleEndian(src[8..]);
        if (version != Version)
            throw new TensorCacheException($"{path}: cache format version {version}, this build reads {Version}. Rerun the Preprocess stage.");
        return new TensorCacheHeader(
            BinaryPrimitives.ReadInt32LittleEndian(src[12..]), BinaryPrimitives.ReadInt32LittleEndian(src[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(src[20..]), BinaryPrimitives.ReadInt32LittleEndian(src[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(src[32..]), BinaryPrimitives.ReadInt64LittleEndian(src[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(src[48..]), BinaryPrimitives.ReadInt64LittleEndian(src[56..]));
    }

    /// <summary>One line a sample; a tile's line adds its row and column (a whole image's line is as it always was).</summary>
    public static byte[] EncodeIndex(IReadOnlyList<TensorCacheEntry> entries) =>
        Encoding.UTF8.GetBytes(string.Concat(entries.Select(e =>
            $"{e.Stem}\t{e.SourceWidth}\t{e.SourceHeight}{(e.Tile is { } t ? $"\t{t.Row}\t{t.Column}" : "")}\n")));

    public static TensorCacheEntry[] DecodeIndex(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t')).Select(f => new TensorCacheEntry(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
                f.Length >= 5 ? new TilePosition(int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture)) : null)).ToArray();
}
