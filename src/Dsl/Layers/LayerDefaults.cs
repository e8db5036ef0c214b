namespace Mnist.Dsl.Layers;

/// <summary>
/// The value each optional layer argument takes when the declaration leaves it out: PyTorch's defaults. The
/// attributes, the <see cref="Layer"/> records and the generator's attribute reader all take them from here, so
/// the three cannot drift apart.
/// </summary>
public static class LayerDefaults
{
    public const int Stride = 1;
    public const int Padding = 0;
    public const bool Bias = true;

    /// <summary>1: every output channel sees every input channel (an ordinary convolution).</summary>
    public const int Groups = 1;

    /// <summary>0: the in-channels (in-features) come from the previous layer.</summary>
    public const int InferredInput = 0;

    public const double BatchNormMomentum = 0.1;
    public const double BatchNormEps = 1e-5;
    public const double DropoutProbability = 0.5;
    public const int PoolKernelSize = 2;

    /// <summary>0: a pool's stride is its kernel size, as in PyTorch.</summary>
    public const int PoolStride = 0;

    public const bool Functional = false;
}
