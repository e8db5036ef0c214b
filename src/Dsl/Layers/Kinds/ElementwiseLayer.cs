using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>
/// A function of each value on its own, with no state (LeakyReLU, Tanh): its record says everything every artefact needs,
/// so adding such a kind touches no lowering. Beside what any stateless layer says (its TorchSharp module and functional
/// call, its engine blueprint call) it describes its in-place inference kernel and its ONNX node as <see cref="LayerCall"/>
/// data. It keeps its input's shape; a kind with arguments checks them in <see cref="StatelessLayer"/>'s Step.
/// </summary>
public abstract record ElementwiseLayer(bool Functional) : StatelessLayer(Functional)
{
    public sealed override LayerForm Form => LayerForm.Elementwise;

    /// <summary>
    /// The in-place kernel of Mnist.Dsl.Inference that applies it at inference, as a call of its class and method
    /// (<c>InferenceKernels.LeakyRelu(0.01)</c>) with the arguments after the activation and its layout; the kernel's
    /// last parameter is the epilogue that may be fused after it. The generated inference class writes this call.
    /// </summary>
    public abstract LayerCall InferenceKernel { get; }

    /// <summary>Its ONNX operator: the operator's type and its attributes, every one named (<c>LeakyRelu(alpha: 0.01)</c>;
    /// an int is an INT attribute, a double a FLOAT).</summary>
    public abstract LayerCall OnnxNode { get; }

    /// <summary>Prints its arguments as any layer does, not the two descriptions above.</summary>
    protected override bool PrintMembers(System.Text.StringBuilder builder) => base.PrintMembers(builder);
}
