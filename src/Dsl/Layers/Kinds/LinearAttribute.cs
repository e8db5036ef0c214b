using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>Fully connected layer. In-features come from the previous layer; give <see cref="InFeatures"/> to have them checked.</summary>
public sealed class LinearAttribute : LayerAttribute
{
    public LinearAttribute(int outFeatures) => OutFeatures = outFeatures;

    public int OutFeatures { get; }
    public bool Bias { get; set; } = LayerDefaults.Bias;

    /// <summary>0 (the default) infers them; any other value must equal the previous layer's features.</summary>
    public int InFeatures { get; set; } = LayerDefaults.InferredInput;
}
