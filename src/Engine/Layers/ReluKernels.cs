using System.Numerics;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>ReLU on its own (where no convolution epilogue or BatchNorm backward absorbs it).</summary>
internal static unsafe class ReluKernels
{
    public static void Forward(float* x, float* y, int count)
    {
        int i = 0;
        if (VectorPaths.On)
            for (; i + Vector<float>.Count <= count; i += Vector<float>.Count) Vector.Max(Vector.Load(x + i), Vector<float>.Zero).Store(y + i);
        for (; i < count; i++) y[i] = x[i] > 0 ? x[i] : 0;
    }

    /// <summary>dx = dy where y > 0 (y the output; PyTorch's gradient at 0 is 0 too).</summary>
    public static void Backward(float* y, float* dy, float* dx, int count)
    {
        int i = 0;
        if (VectorPaths.On)
            for (; i + Vector<float>.Count <= count; i += Vector<float>.Count)
                Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(y + i), Vector<float>.Zero), Vector.Load(dy + i), Vector<float>.Zero)
                    .Store(dx + i);
        for (; i < count; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
    }
}
