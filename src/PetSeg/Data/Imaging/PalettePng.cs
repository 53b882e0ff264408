using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace PetSeg.Data.Imaging;

/// <summary>
/// Writes an 8-bit indexed-colour PNG whose indices are given, as Pascal VOC's label masks are: the index is the
/// label, the palette only shows it. Written chunk by chunk because an encoder that builds its own palette (ImageSharp's)
/// would renumber the indices.
/// </summary>
public static class PalettePng
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="indices">One index a pixel, row by row.</param>
    /// <param name="palette">The colours by index (0xRRGGBB), at most 256.</param>
    public static void Write(Stream output, int width, int height, ReadOnlySpan<byte> indices, IReadOnlyList<int> palette)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(indices.Length, width * height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(palette.Count, 256);
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, 3); // 8 bits an index, colour type 3: indexed
        Chunk(output, "IHDR", header);
        var plte = new byte[palette.Count * 3];
        for (int i = 0; i < palette.Count; i++) (plte[3 * i], plte[3 * i + 1], plte[3 * i + 2]) = ((byte)(palette[i] >> 16), (byte)(palette[i] >> 8), (byte)palette[i]);
        Chunk(output, "PLTE", plte);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // no filter: label maps compress well as they are
                z.Write(indices.Slice(y * width, width));
            }
        Chunk(output, "IDAT", raw.ToArray());
        Chunk(output, "IEND", []);
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.HashToUInt32(typed));
        output.Write(word);
    }
}
