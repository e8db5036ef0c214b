namespace Mnist.Dsl.Training.Export;

/// <summary>An exported ONNX model in memory: its bytes, and what they say about themselves, for messages and tests.</summary>
public sealed class OnnxModelFile
{
    internal OnnxModelFile(byte[] bytes, string network, long parameters, string weightsSha256, string outputName, IReadOnlyList<string> operators)
    {
        Bytes = bytes;
        Network = network;
        Parameters = parameters;
        WeightsSha256 = weightsSha256;
        OutputName = outputName;
        Operators = operators;
    }

    /// <summary>The serialised onnx.ModelProto: the whole .onnx file.</summary>
    public byte[] Bytes { get; }

    public string Network { get; }

    public long Parameters { get; }

    /// <summary>The SHA-256 of the safetensors file the weights came from, lower-case hex (also in the model's metadata).</summary>
    public string WeightsSha256 { get; }

    /// <summary><see cref="OnnxExport.LogProbabilitiesName"/> or <see cref="OnnxExport.LogitsName"/>.</summary>
    public string OutputName { get; }

    /// <summary>The graph's operators in order (Conv, Relu, BatchNormalization, ...).</summary>
    public IReadOnlyList<string> Operators { get; }

    /// <summary>
    /// Writes the file atomically: readers see the old file or the whole new one. A path that cannot be written (a
    /// folder, a file in the way of its folder, no permission) is an <see cref="IOException"/> naming it, and leaves
    /// nothing behind (no partial file, no temporary).
    /// </summary>
    public void Save(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        try
        {
            AtomicFile.Write(path, stream => stream.Write(Bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"Cannot write the ONNX file {path} ({e.Message.TrimEnd('.')}); nothing was written. Give a path in a writable folder.", e);
        }
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0}: {1:N0} parameters, {2:N0} bytes, opset {3}, input '{4}', output '{5}'", Network, Parameters, Bytes.Length, OnnxExport.Opset,
            OnnxExport.InputName, OutputName);
}
