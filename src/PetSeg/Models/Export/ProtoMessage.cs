using System.Buffers.Binary;
using System.Text;

namespace PetSeg.Models.Export;

/// <summary>
/// One protocol-buffers message, written field by field in the wire format (varints, little-endian floats,
/// length-delimited bytes and nested messages): all an ONNX file needs, without generated code. Repeated scalars are
/// written unpacked, as onnx.proto (proto2) declares them; parsers take either form.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _bytes = new();

    public long Length => _bytes.Length;

    public ProtoMessage Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value); // a negative int64 is its two's complement, ten bytes
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _bytes.Write(b);
        return this;
    }

    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    public ProtoMessage String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoMessage Message(int field, ProtoMessage value)
    {
        value.WriteAsFieldTo(_bytes, field);
        return this;
    }

    public void WriteTo(Stream stream)
    {
        _bytes.Position = 0;
        _bytes.CopyTo(stream);
    }

    /// <summary>
    /// Writes this message to <paramref name="stream"/> as field <paramref name="field"/> of an enclosing message written
    /// there around it (<see cref="Message"/> into a message's buffer; a file, for a message that holds every weight).
    /// </summary>
    public void WriteAsFieldTo(Stream stream, int field)
    {
        Varint(stream, (ulong)((field << 3) | 2));
        Varint(stream, (ulong)_bytes.Length);
        WriteTo(stream);
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value) => Varint(_bytes, value);

    private static void Varint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
