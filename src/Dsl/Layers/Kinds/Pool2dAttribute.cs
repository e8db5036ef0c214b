using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>What the two pooling attributes share, as <see cref="Pool2dLayer"/> does for their records.</summary>
public abstract class Pool2dAttribute : StatelessLayerAttribute
{
    private protected Pool2dAttribute(int kernelSize) => KernelSize = kernelSize;

    public int KernelSize { get; }

    /// <summary>0 (the default) means the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; } = LayerDefaults.PoolStride;
}
