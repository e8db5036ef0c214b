using Mnist.Dsl.Inference;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// Tanh: y = tanh(x) as the inference kernel computes it (<see cref="TanhKernel"/>: a rational function of x on x clamped,
/// within 4e-7 of tanh, exactly ±1 past the clamp); its gradient dy · (1 − y²) from the output, as PyTorch's is. At the trainer's vector width.
/// </summary>
internal static unsafe class TanhKernels
{
    public static void Forward<TV, TOps>(float* x, float* y, int count) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        int i = 0;
        for (; i + TOps.Count <= count; i += TOps.Count) TOps.Store(y + i, TanhKernel.Of<TV, TOps>(TOps.Load(x + i)));
        for (; i < count; i++) y[i] = TanhKernel.Of(x[i]);
    }

    /// <summary>dx = dy · (1 − y²), y the output.</summary>
    public static void Backward<TV, TOps>(float* y, float* dy, float* dx, int count) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        int i = 0;
        var one = TOps.Broadcast(1f);
        var minusOne = TOps.Broadcast(-1f);
        for (; i + TOps.Count <= count; i += TOps.Count)
        {
            var v = TOps.Load(y + i);
            TOps.Store(dx + i, TOps.Multiply(TOps.Load(dy + i), TOps.MulAdd(TOps.Multiply(v, minusOne), v, one)));
        }
        for (; i < count; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
    }
}
