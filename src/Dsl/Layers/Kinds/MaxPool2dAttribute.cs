using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

public sealed class MaxPool2dAttribute : StatelessLayerAttribute
{
    public MaxPool2dAttribute(int kernelSize = LayerDefaults.PoolKernelSize) => KernelSize = kernelSize;

    public int KernelSize { get; }

    /// <summary>0 (the default) means the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; } = LayerDefaults.PoolStride;
}
