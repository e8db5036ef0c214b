namespace Mnist.Dsl.Training.Export;

/// <summary>An attribute of an ONNX node: an int, a list of ints or a float (the only kinds the exported operators take).</summary>
internal abstract record OnnxAttribute(string Name)
{
    public sealed record Int(string Name, long Value) : OnnxAttribute(Name);

    public sealed record Ints(string Name, long[] Values) : OnnxAttribute(Name);

    public sealed record Float(string Name, float Value) : OnnxAttribute(Name);
}

/// <summary>One operator of the graph (default ONNX domain), with one output tensor.</summary>
internal sealed record OnnxNode(string OpType, string Name, IReadOnlyList<string> Inputs, string Output, IReadOnlyList<OnnxAttribute> Attributes);

/// <summary>A float32 constant of the graph (a weight), stored as little-endian raw data.</summary>
internal sealed record OnnxInitializer(string Name, long[] Dims, float[] Values);

/// <summary>
/// A graph of one float32 input and one float32 output. In their shapes a null dimension is the symbolic batch
/// dimension (<see cref="OnnxGraph.BatchDimension"/>).
/// </summary>
internal sealed record OnnxGraph(string Name, string Input, long?[] InputShape, string Output, long?[] OutputShape,
    IReadOnlyList<OnnxNode> Nodes, IReadOnlyList<OnnxInitializer> Initializers)
{
    /// <summary>The name of the batch dimension, which ONNX Runtime lets each call choose.</summary>
    public const string BatchDimension = "N";
}

/// <summary>A whole model: the graph, who made it, and its metadata_props (key, value) in order.</summary>
internal sealed record OnnxModel(OnnxGraph Graph, string ProducerName, string ProducerVersion, string DocString,
    IReadOnlyList<KeyValuePair<string, string>> Metadata);
