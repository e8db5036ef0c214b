using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Mnist.Dsl.Training.Serialization;

/// <summary>
/// The safetensors format (what the PyTorch ecosystem reads): an 8-byte little-endian header length, a JSON
/// header {name: {dtype, shape, data_offsets}, "__metadata__": {..}}, then the raw little-endian data.
/// Reading checks every size and offset against the file and names the file and the entry at fault.
/// <para>
/// TorchSharp.PyBridge reads and writes safetensors too; this one is kept because it does more that the trainer
/// relies on: metadata (a checkpoint's format, model and epoch), atomic writes (a killed run never leaves a
/// torn file), and errors that name the file, the entry and the sizes instead of an index or a JSON exception.
/// </para>
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    public static void Save(IReadOnlyDictionary<string, torch.Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var payloads = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var bytes = RawBytes(tensor);
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(tensor.dtype),
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes.Length)),
            };
            payloads.Add(bytes);
            offset += bytes.Length;
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

    /// <summary>Reads every tensor of a safetensors file, in file order.</summary>
    public static Dictionary<string, torch.Tensor> Load(string path) => Load(path, out _);

    public static Dictionary<string, torch.Tensor> Load(string path, out Dictionary<string, string> metadata)
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
        var entries = new List<(string name, torch.ScalarType type, long[] shape, long begin, long end)>();
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
                var type = ParseDtype(entry["dtype"]!.GetValue<string>());
                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2) Fail($"'{name}' has {offsets.Length} data offsets instead of 2");
                var expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(type);
                if (shape.Any(d => d < 0)) Fail($"'{name}' has a negative dimension");
                if (offsets[1] - offsets[0] != expected)
                    Fail($"'{name}' is {type} [{string.Join(", ", shape)}] ({expected} bytes) but its offsets span {offsets[1] - offsets[0]} bytes");
                if (offsets[0] < 0 || offsets[1] > dataLength)
                    Fail($"'{name}' lies at bytes {offsets[0]}..{offsets[1]} but the data section has {dataLength} bytes (truncated?)");
                entries.Add((name, type, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                Fail($"entry '{name}' is malformed ({e.Message})");
            }
        }
        var result = new Dictionary<string, torch.Tensor>();
        foreach (var (name, type, shape, begin, end) in entries)
            result[name] = FromBytes(bytes.AsSpan((int)(dataStart + begin), (int)(end - begin)), type, shape);
        return result;
    }

    private static torch.Tensor FromBytes(Span<byte> data, torch.ScalarType type, long[] shape)
    {
        var tensor = torch.empty(shape, type);
        tensor.bytes = data;
        return tensor;
    }

    private static byte[] RawBytes(torch.Tensor tensor)
    {
        using var plain = tensor.detach().cpu().contiguous();
        return plain.bytes.ToArray();
    }

    private static long ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.Int8 or torch.ScalarType.Byte or torch.ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"safetensors cannot store {type}"),
    };

    private static string DtypeName(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.Float64 => "F64",
        torch.ScalarType.Float16 => "F16",
        torch.ScalarType.Int64 => "I64",
        torch.ScalarType.Int32 => "I32",
        torch.ScalarType.Int16 => "I16",
        torch.ScalarType.Int8 => "I8",
        torch.ScalarType.Byte => "U8",
        torch.ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"safetensors cannot store {type}"),
    };

    private static torch.ScalarType ParseDtype(string name) => name switch
    {
        "F32" => torch.ScalarType.Float32,
        "F64" => torch.ScalarType.Float64,
        "F16" => torch.ScalarType.Float16,
        "I64" => torch.ScalarType.Int64,
        "I32" => torch.ScalarType.Int32,
        "I16" => torch.ScalarType.Int16,
        "I8" => torch.ScalarType.Int8,
        "U8" => torch.ScalarType.Byte,
        "BOOL" => torch.ScalarType.Bool,
        _ => throw new FormatException($"unknown dtype '{name}'"),
    };
}
