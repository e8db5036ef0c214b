using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mnist.Dsl.Torch;

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
    /// <summary>Writes the tensors (copied to the CPU, contiguous) with optional string metadata, atomically (see
    /// <see cref="SafeTensorsFile"/>).</summary>
    public static void Save(IReadOnlyDictionary<string, torch.Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensorsFile.Write(path,
            tensors.Select(t => KeyValuePair.Create(t.Key, new RawTensor(DtypeName(t.Value.dtype), t.Value.shape, RawBytes(t.Value)))).ToList(),
            metadata);

    /// <summary>Reads every tensor of a safetensors file, in file order.</summary>
    public static Dictionary<string, torch.Tensor> Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor, in file order, and the metadata; a damaged file is an
    /// <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static Dictionary<string, torch.Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        var raw = SafeTensorsFile.Read(path, out metadata);
        var result = new Dictionary<string, torch.Tensor>();
        foreach (var (name, tensor) in raw)
        {
            var type = ParseDtype(tensor.Dtype)
                ?? throw new InvalidDataException($"{path}: tensor '{name}' has unknown dtype '{tensor.Dtype}'; save it as float32.");
            result[name] = FromBytes(tensor.Data, type, tensor.Shape);
        }
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

    /// <summary>The ScalarType of a dtype the format names; null for one this reader does not know (bfloat16, unsigned wider than 8 bits).</summary>
    private static torch.ScalarType? ParseDtype(string name) => name switch
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
        _ => null,
    };
}
