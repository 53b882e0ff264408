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
        Tag(field, 2);
        Varint((ulong)value._bytes.Length);
        value._bytes.Position = 0;
        value._bytes.CopyTo(_bytes);
        return this;
    }

    public void WriteTo(Stream stream)
    {
        _bytes.Position = 0;
        _bytes.CopyTo(stream);
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
