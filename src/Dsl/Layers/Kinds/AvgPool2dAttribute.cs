using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

public sealed class AvgPool2dAttribute(int kernelSize = LayerDefaults.PoolKernelSize) : Pool2dAttribute(kernelSize);
