using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace PetSeg.Tests.Support;

/// <summary>
/// Writes an indexed-colour PNG byte by byte, chunk by chunk (IHDR, PLTE, IDAT, IEND), so a test controls which index
/// each pixel has and which colour each index is drawn in — as Pascal VOC's <c>SegmentationClass</c> masks are made,
/// and as no encoder that picks its own palette would.
/// </summary>
public static class PalettePng
{
    public static void Write(string path, int width, int height, byte[] indices, IReadOnlyList<(byte R, byte G, byte B)> palette)
    {
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, 3); // 8 bits per index, colour type 3: indexed
        Chunk(file, "IHDR", header);
        Chunk(file, "PLTE", [.. palette.SelectMany(c => new[] { c.R, c.G, c.B })]);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(indices, y * width, width);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    /// <summary>Pascal VOC's palette: each label's bits spread over the high bits of red, green and blue (label 7 is gray 128).</summary>
    public static (byte R, byte G, byte B)[] Voc()
    {
        var colours = new (byte, byte, byte)[256];
        for (int label = 0; label < 256; label++)
        {
            int r = 0, g = 0, b = 0, c = label;
            for (int bit = 7; bit >= 0; bit--, c >>= 3)
                (r, g, b) = (r | ((c & 1) << bit), g | (((c >> 1) & 1) << bit), b | (((c >> 2) & 1) << bit));
            colours[label] = ((byte)r, (byte)g, (byte)b);
        }
        return colours;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typed));
        s.Write(crc);
    }
}
