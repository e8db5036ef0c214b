using System.Runtime.InteropServices;

namespace Mnist.Dsl.Training.Export;

/// <summary>
/// An <see cref="OnnxModel"/> as the bytes of an ONNX file: a serialised onnx.ModelProto. The field numbers are
/// onnx/onnx.proto's (quoted beside each); only the fields the exporter fills are written. IR version 8 and opset
/// 17 are what ONNX 1.12 (Debian's python3-onnx, whose checker the tests run) knows fully; ONNX Runtime reads both.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>ModelProto.ir_version: IR_VERSION_2021_7_30, the IR of ONNX 1.10 to 1.12.</summary>
    public const long IrVersion = 8;

    /// <summary>The default domain's operator set.</summary>
    public const long Opset = 17;

    private const int FloatType = 1;        // TensorProto.DataType.FLOAT
    private const int AttributeFloat = 1;   // AttributeProto.AttributeType.FLOAT
    private const int AttributeInt = 2;     // AttributeProto.AttributeType.INT
    private const int AttributeInts = 7;    // AttributeProto.AttributeType.INTS

    public static byte[] Serialize(OnnxModel model)
    {
        var writer = new ProtoWriter()
            .Varint(1, IrVersion)                           // ir_version
            .String(2, model.ProducerName)                  // producer_name
            .String(3, model.ProducerVersion)               // producer_version
            .Varint(5, 1)                                   // model_version
            .String(6, model.DocString)                     // doc_string
            .Message(7, g => Graph(g, model.Graph))         // graph
            .Message(8, o => o.String(1, "").Varint(2, Opset)); // opset_import: domain "" (ai.onnx), version
        foreach (var (key, value) in model.Metadata)
            writer.Message(14, e => e.String(1, key).String(2, value)); // metadata_props: StringStringEntryProto key, value
        return writer.ToArray();
    }

    private static void Graph(ProtoWriter w, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes) w.Message(1, n => Node(n, node));           // node
        w.String(2, graph.Name);                                                      // name
        foreach (var initializer in graph.Initializers) w.Message(5, t => Tensor(t, initializer)); // initializer
        w.Message(11, v => ValueInfo(v, graph.Input, graph.InputShape));              // input
        w.Message(12, v => ValueInfo(v, graph.Output, graph.OutputShape));            // output
    }

    private static void Node(ProtoWriter w, OnnxNode node)
    {
        foreach (var input in node.Inputs) w.String(1, input);  // input
        w.String(2, node.Output);                                // output
        w.String(3, node.Name);                                  // name
        w.String(4, node.OpType);                                // op_type
        foreach (var attribute in node.Attributes) w.Message(5, a => Attribute(a, attribute)); // attribute
    }

    private static void Attribute(ProtoWriter w, OnnxAttribute attribute)
    {
        w.String(1, attribute.Name); // name
        _ = attribute switch
        {
            OnnxAttribute.Int i => w.Varint(20, AttributeInt).Varint(3, i.Value),       // type, i
            OnnxAttribute.Float f => w.Varint(20, AttributeFloat).Float(2, f.Value),    // type, f
            OnnxAttribute.Ints list => Ints(w.Varint(20, AttributeInts), 8, list.Values), // type, ints
            _ => throw new ArgumentException($"no ONNX encoding for attribute {attribute}", nameof(attribute)),
        };
    }

    private static ProtoWriter Ints(ProtoWriter w, int field, long[] values)
    {
        foreach (var value in values) w.Varint(field, value);
        return w;
    }

    private static void Tensor(ProtoWriter w, OnnxInitializer tensor)
    {
        Ints(w, 1, tensor.Dims);                   // dims
        w.Varint(2, FloatType);                    // data_type
        w.String(8, tensor.Name);                  // name
        // raw_data: little-endian, which is how .NET lays out floats on every platform it runs this on.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException(
                "ONNX raw_data is little-endian; this exporter writes it from memory on little-endian machines only.");
        w.Bytes(9, MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
    }

    private static void ValueInfo(ProtoWriter w, string name, long?[] shape)
    {
        w.String(1, name);                                             // ValueInfoProto.name
        w.Message(2, type => type.Message(1, tensor =>                 // ValueInfoProto.type, TypeProto.tensor_type
        {
            tensor.Varint(1, FloatType);                               // TypeProto.Tensor.elem_type
            tensor.Message(2, s =>                                     // TypeProto.Tensor.shape
            {
                foreach (var dim in shape)                             // TensorShapeProto.dim: dim_value, or dim_param
                    s.Message(1, d => _ = dim is { } size ? d.Varint(1, size) : d.String(2, OnnxGraph.BatchDimension));
            });
        }));
    }
}
