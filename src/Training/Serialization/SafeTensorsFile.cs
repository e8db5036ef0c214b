using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Mnist.Dsl.Inference;

namespace Mnist.Dsl.Training.Serialization;

/// <summary>One tensor of a safetensors file as bytes: its dtype as the format spells it ("F32", "I64"), shape and little-endian data.</summary>
public sealed record RawTensor(string Dtype, long[] Shape, byte[] Data)
{
    public static RawTensor Float32(ReadOnlySpan<float> values, params long[] shape) =>
        new("F32", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public static RawTensor Int64(ReadOnlySpan<long> values, params long[] shape) =>
        new("I64", shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray());

    public float[] AsFloat32() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Data).ToArray();

    public long[] AsInt64() => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(Data).ToArray();

    public string Describe() => $"{Dtype} [{string.Join(", ", Shape)}]";
}

/// <summary>
/// The safetensors format (Hugging Face's: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the data) with no tensor library: what the TorchSharp backend's SafeTensors reads and writes
/// for TorchSharp, and the plain-C# engine uses directly. Files are written atomically; reading is Mnist.Dsl's
/// <see cref="SafeTensorsWeights"/> (the inference classes' reader), which checks every offset.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Writes the tensors, in the order given, with optional string metadata, atomically.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, RawTensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var payloads = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = tensor.Dtype,
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + tensor.Data.Length)),
            };
            payloads.Add(tensor.Data);
            offset += tensor.Data.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the reference writer pads the header with spaces to 8 bytes
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var payload in payloads) stream.Write(payload);
        });
    }

    /// <summary>
    /// Reads every tensor (in the header's order), whatever its dtype, and the metadata with Mnist.Dsl's reader, which
    /// checks every size and offset; a damaged file is an <see cref="InvalidDataException"/> naming the file and the
    /// entry. Each consumer checks the dtypes it can hold (the TorchSharp backend's SafeTensors, the engine's weights and state).
    /// </summary>
    public static List<KeyValuePair<string, RawTensor>> Read(string path, out Dictionary<string, string> metadata)
    {
        var file = SafeTensorsWeights.Read(path);
        metadata = new Dictionary<string, string>(file.Metadata);
        return file.RawTensors().Select(t => KeyValuePair.Create(t.Name, new RawTensor(t.Dtype, t.Shape, t.Data))).ToList();
    }
}
