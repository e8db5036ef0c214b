using System.Numerics;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>LeakyReLU: y = x where x &gt; 0, else slope · x; its gradient dy where x &gt; 0, else slope · dy (PyTorch's at 0: the slope).</summary>
internal static unsafe class LeakyReluKernels
{
    public static void Forward(float* x, float* y, int count, float slope)
    {
        int i = 0;
        var zero = Vector<float>.Zero;
        for (; i + Vector<float>.Count <= count; i += Vector<float>.Count)
        {
            var v = Vector.Load(x + i);
            Vector.ConditionalSelect(Vector.GreaterThan(v, zero), v, v * slope).Store(y + i);
        }
        for (; i < count; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
    }

    /// <summary>dx from the input x (not the output: a negative slope flips the output's sign).</summary>
    public static void Backward(float* x, float* dy, float* dx, int count, float slope)
    {
        int i = 0;
        var zero = Vector<float>.Zero;
        for (; i + Vector<float>.Count <= count; i += Vector<float>.Count)
        {
            var g = Vector.Load(dy + i);
            Vector.ConditionalSelect(Vector.GreaterThan(Vector.Load(x + i), zero), g, g * slope).Store(dx + i);
        }
        for (; i < count; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope;
    }
}
