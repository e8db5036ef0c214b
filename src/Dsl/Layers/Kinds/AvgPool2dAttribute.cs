using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

public sealed class AvgPool2dAttribute : StatelessLayerAttribute
{
    public AvgPool2dAttribute(int kernelSize = LayerDefaults.PoolKernelSize) => KernelSize = kernelSize;

    public int KernelSize { get; }

    /// <summary>0 (the default) means the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; } = LayerDefaults.PoolStride;
}
