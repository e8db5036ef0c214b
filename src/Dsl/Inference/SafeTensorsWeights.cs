using System.IO;
using System.Text;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The float32 tensors of a safetensors file (what the trainer writes as best.safetensors / last.safetensors,
/// and what PyTorch's safetensors writes), read without any native runtime: an 8-byte little-endian header
/// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then the raw data.
/// The generated <c>&lt;Network&gt;Inference.Load</c> asks it for every tensor the network declares with the
/// shape it declares; each mismatch is an <see cref="InvalidDataException"/> naming the file, the tensor, the
/// expected and the found shape.
/// </summary>
public sealed class SafeTensorsWeights
{
    private const long MaxHeaderBytes = 100_000_000;

    private readonly byte[] _data;
    private readonly long _dataStart;
    private readonly Dictionary<string, Entry> _entries;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    private SafeTensorsWeights(string source, byte[] data, long dataStart, Dictionary<string, Entry> entries, Dictionary<string, string> metadata)
    {
        Source = source;
        _data = data;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>The header's "__metadata__" strings (a checkpoint's format, model and epoch); empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Every tensor in the header's order as its dtype, shape and little-endian bytes, whatever its dtype and
    /// unmatched against any network: what the trainer's checkpoints (weights and optimizer state) are read with.
    /// </summary>
    public IEnumerable<(string Name, string Dtype, long[] Shape, byte[] Data)> RawTensors() =>
        _entries.Select(e => (e.Key, e.Value.Dtype, (long[])e.Value.Shape.Clone(), Bytes(e.Value)));

    private byte[] Bytes(Entry entry)
    {
        var bytes = new byte[entry.End - entry.Begin];
        Buffer.BlockCopy(_data, checked((int)(_dataStart + entry.Begin)), bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Where the weights came from (the path, or the name given with a stream), as errors print it.</summary>
    public string Source { get; }

    /// <summary>The tensor names in the file, in name order (no "__metadata__").</summary>
    public IReadOnlyList<string> Names => _entries.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

    /// <summary>Every tensor's shape by name (no "__metadata__"): what a weights file is matched against networks with
    /// (Registry.WeightsFit).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Shapes =>
        _entries.ToDictionary(e => e.Key, e => (IReadOnlyList<long>)e.Value.Shape, StringComparer.Ordinal);

    /// <summary>Reads a safetensors file; a missing or damaged file is an exception that names the file and what is wrong.</summary>
    public static SafeTensorsWeights Read(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Weights file {path} does not exist (the trainer writes best.safetensors and last.safetensors into its run folder).", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads safetensors bytes from a stream; <paramref name="source"/> names it in errors.</summary>
    public static SafeTensorsWeights Read(Stream stream, string source)
    {
        if (stream is null) throw new ArgumentNullException(nameof(stream));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Parse(copy.ToArray(), source ?? "stream");
    }

    /// <summary>
    /// The float32 values of tensor <paramref name="name"/>, which must have exactly <paramref name="expectedShape"/>.
    /// <paramref name="network"/> names the network that expects it, for the message.
    /// </summary>
    public float[] ReadFloat32(string network, string name, params int[] expectedShape)
    {
        if (!_entries.TryGetValue(name, out var entry))
            throw new InvalidDataException(
                $"{Source} has no tensor '{name}', which {network} expects with shape {Shape(expectedShape)}; " +
                $"the file holds {Listed(Names)}. Is it the weights of another network? Load a file the trainer wrote for {network}.");
        if (!entry.Shape.SequenceEqual(expectedShape.Select(d => (long)d)))
            throw new InvalidDataException(
                $"{Source}: tensor '{name}' has shape {Shape(entry.Shape)} but {network} expects {Shape(expectedShape)}. " +
                $"The file holds weights of a differently declared network; retrain, or load it into the network it was trained for.");
        if (entry.Dtype != "F32")
            throw new InvalidDataException(
                $"{Source}: tensor '{name}' is {entry.Dtype} but {network} expects F32 (float32); save the weights as float32.");
        _taken.Add(name);
        var values = new float[entry.Shape.Aggregate(1L, (a, b) => a * b)];
        var offset = checked((int)(_dataStart + entry.Begin));
        if (BitConverter.IsLittleEndian)
            Buffer.BlockCopy(_data, offset, values, 0, values.Length * 4);
        else
            for (var i = 0; i < values.Length; i++)
            {
                var bytes = new[] { _data[offset + 4 * i + 3], _data[offset + 4 * i + 2], _data[offset + 4 * i + 1], _data[offset + 4 * i] };
                values[i] = BitConverter.ToSingle(bytes, 0);
            }
        return values;
    }

    /// <summary>
    /// Fails when the file holds tensors nobody asked for (other than those matching <paramref name="ignored"/>,
    /// e.g. BatchNorm's num_batches_tracked, which inference does not need): a file of another network that
    /// happens to share some names is refused, as PyTorch's strict load_state_dict refuses it.
    /// </summary>
    public void EnsureEverythingRead(string network, Func<string, bool> ignored)
    {
        var unexpected = _entries.Keys.Where(k => !_taken.Contains(k) && !ignored(k)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException(
                $"{Source} holds {Listed(unexpected)}, which {network} does not have; it is the weights of another network. " +
                    $"Load a file the trainer wrote for {network}.");
    }

    private static SafeTensorsWeights Parse(byte[] bytes, string source)
    {
        InvalidDataException Damaged(string what) => new($"{source} is not a valid safetensors file: {what}.");
        if (bytes.Length < 8) throw Damaged($"it has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = 0;
        for (var i = 7; i >= 0; i--) headerLength = (headerLength << 8) | bytes[i];
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > bytes.Length)
            throw Damaged($"its header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length (truncated?)");
        object? json;
        try
        {
            json = HeaderJson.Parse(new UTF8Encoding(false, true).GetString(bytes, 8, (int)headerLength));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw Damaged($"its header is not valid JSON ({e.Message})");
        }
        if (json is not Dictionary<string, object?> header) throw Damaged("its header is not a JSON object");
        var dataStart = 8 + (long)headerLength;
        var dataLength = bytes.Length - dataStart;
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in header)
        {
            if (pair.Key == "__metadata__")
            {
                if (pair.Value is not Dictionary<string, object?> values) throw Damaged("its \"__metadata__\" is not a JSON object");
                foreach (var field in values) metadata[field.Key] = Convert.ToString(field.Value, CultureInfo.InvariantCulture) ?? "";
                continue;
            }
            if (pair.Value is not Dictionary<string, object?> fields
                || !fields.TryGetValue("dtype", out var dtypeValue) || dtypeValue is not string dtype
                || !fields.TryGetValue("shape", out var shapeValue) || shapeValue is not List<object?> shapeList || shapeList.Any(d => d is not long)
                || !fields.TryGetValue("data_offsets", out var offsetsValue) || offsetsValue is not List<object?> offsetList || offsetList.Count != 2
                    || offsetList.Any(d => d is not long))
                throw Damaged($"entry '{pair.Key}' is not {{\"dtype\": string, \"shape\": [integers], \"data_offsets\": [begin, end]}}");
            var shape = shapeList.Select(d => (long)d!).ToArray();
            long begin = (long)offsetList[0]!, end = (long)offsetList[1]!;
            if (shape.Any(d => d < 0)) throw Damaged($"'{pair.Key}' has a negative dimension");
            if (begin < 0 || end < begin || end > dataLength)
                throw Damaged($"'{pair.Key}' lies at bytes {begin}..{end} but the data section has {dataLength} bytes (truncated?)");
            var size = ElementSize(dtype);
            if (size > 0 && shape.Aggregate(1L, (a, b) => a * b) * size != end - begin)
                throw Damaged($"'{pair.Key}' is {dtype} {Shape(shape)} but its offsets span {end - begin} bytes");
            entries[pair.Key] = new Entry(dtype, shape, begin, end);
        }
        return new SafeTensorsWeights(source, bytes, dataStart, entries, metadata);
    }

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0, // an unknown dtype is only refused if the network asks for that tensor
    };

    private static string Shape(IEnumerable<long> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string Shape(IEnumerable<int> shape) => Shape(shape.Select(d => (long)d));

    private static string Listed(IReadOnlyCollection<string> names) =>
        names.Count == 0 ? "no tensors"
        : (names.Count == 1 ? "tensor " : names.Count.ToString(CultureInfo.InvariantCulture) + " tensors: ")
          + string.Join(", ", names.Take(12).Select(n => "'" + n + "'")) + (names.Count > 12 ? ", ..." : "");

    private sealed record Entry(string Dtype, long[] Shape, long Begin, long End);
}
