using System.Buffers.Binary;
using System.Text;

namespace Mnist.Dsl.Training.Export;

/// <summary>
/// The protocol buffers wire format, as much of it as an ONNX model needs: varints (wire type 0), float32 (wire type
/// 5) and length-delimited strings, bytes and nested messages (wire type 2). A nested message is written into its own
/// writer first, so its length is known when its tag is written. Written by hand instead of taking a protobuf library:
/// a model is nine message types (OnnxModelWriter), and the trainer's package then brings no new dependency.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintWire = 0, LengthDelimitedWire = 2, Fixed32Wire = 5;

    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    /// <summary>An int32, int64 or enum field; a negative value takes ten bytes, as protobuf encodes it.</summary>
    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, VarintWire);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32Wire);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedWire);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A nested message, written by <paramref name="write"/> into a writer of its own.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner._buffer.GetBuffer().AsSpan(0, checked((int)inner._buffer.Length)));
    }

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
