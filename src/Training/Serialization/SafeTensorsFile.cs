using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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
/// dtype, shape and byte range, then the data) with no tensor library: what <see cref="SafeTensors"/> reads and writes
/// for TorchSharp, and the plain-C# engine uses directly. Files are written atomically; reading checks every offset.
/// </summary>
public static class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100_000_000;

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

    /// <summary>Reads every tensor (in the header's order) and the metadata; a damaged file is an <see cref="InvalidDataException"/> saying what is wrong.</summary>
    public static List<KeyValuePair<string, RawTensor>> Read(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file {path} does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        string Fail(string what) => throw new InvalidDataException($"{path} is not a valid safetensors file: {what}.");
        if (bytes.Length < 8) Fail($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > bytes.Length)
            Fail($"its header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length (truncated?)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            Fail($"its header is not a JSON object ({e.Message})");
            throw;
        }
        var dataStart = 8 + (long)headerLength;
        var dataLength = bytes.Length - dataStart;
        metadata = new Dictionary<string, string>();
        var result = new List<KeyValuePair<string, RawTensor>>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node?.AsObject() ?? new JsonObject()) metadata[key] = value?.ToString() ?? "";
                continue;
            }
            try
            {
                var entry = node!.AsObject();
                var dtype = entry["dtype"]!.GetValue<string>();
                var size = ElementSize(dtype);
                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2) Fail($"'{name}' has {offsets.Length} data offsets instead of 2");
                var expected = shape.Aggregate(1L, (a, b) => a * b) * size;
                if (shape.Any(d => d < 0)) Fail($"'{name}' has a negative dimension");
                if (offsets[1] - offsets[0] != expected)
                    Fail($"'{name}' is {dtype} [{string.Join(", ", shape)}] ({expected} bytes) but its offsets span {offsets[1] - offsets[0]} bytes");
                if (offsets[0] < 0 || offsets[1] > dataLength)
                    Fail($"'{name}' lies at bytes {offsets[0]}..{offsets[1]} but the data section has {dataLength} bytes (truncated?)");
                var data = bytes.AsSpan((int)(dataStart + offsets[0]), (int)(offsets[1] - offsets[0])).ToArray();
                result.Add(KeyValuePair.Create(name, new RawTensor(dtype, shape, data)));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                Fail($"entry '{name}' is malformed ({e.Message})");
            }
        }
        return result;
    }

    /// <summary>Bytes per element of a dtype the format names.</summary>
    public static long ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new FormatException($"unknown dtype '{dtype}'"),
    };
}
