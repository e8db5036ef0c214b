using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>2-D convolution. In-channels come from the previous layer; give <see cref="InChannels"/> to have them checked.</summary>
public sealed class Conv2dAttribute : LayerAttribute
{
    public Conv2dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; set; } = LayerDefaults.Stride;
    public int Padding { get; set; } = LayerDefaults.Padding;
    public bool Bias { get; set; } = LayerDefaults.Bias;

    /// <summary>0 (the default) infers them; any other value must equal the previous layer's channels.</summary>
    public int InChannels { get; set; } = LayerDefaults.InferredInput;

    /// <summary>
    /// Independent channel groups (torch.nn.Conv2d's groups; 1, the default, is an ordinary convolution). It must divide
    /// both the input and the output channels; equal to both, it is a depthwise convolution (one k×k filter per channel).
    /// </summary>
    public int Groups { get; set; } = LayerDefaults.Groups;
}
