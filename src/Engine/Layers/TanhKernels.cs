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
        for (; i + TOps.Count <= count; i += TOps.Count) TOps.Store(y + i, Tanh<TV, TOps>(TOps.Load(x + i)));
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

    private static TV Tanh<TV, TOps>(TV x) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        x = TOps.Max(TOps.Min(x, TOps.Broadcast(TanhKernel.Clamp)), TOps.Broadcast(-TanhKernel.Clamp));
        var x2 = TOps.Multiply(x, x);
        var p = TOps.MulAdd(TOps.Broadcast(TanhKernel.A13), x2, TOps.Broadcast(TanhKernel.A11));
        p = TOps.MulAdd(p, x2, TOps.Broadcast(TanhKernel.A9));
        p = TOps.MulAdd(p, x2, TOps.Broadcast(TanhKernel.A7));
        p = TOps.MulAdd(p, x2, TOps.Broadcast(TanhKernel.A5));
        p = TOps.MulAdd(p, x2, TOps.Broadcast(TanhKernel.A3));
        p = TOps.Multiply(TOps.MulAdd(p, x2, TOps.Broadcast(TanhKernel.A1)), x);
        var q = TOps.MulAdd(TOps.Broadcast(TanhKernel.B6), x2, TOps.Broadcast(TanhKernel.B4));
        q = TOps.MulAdd(q, x2, TOps.Broadcast(TanhKernel.B2));
        q = TOps.MulAdd(q, x2, TOps.Broadcast(TanhKernel.B0));
        return TOps.Max(TOps.Min(TOps.Divide(p, q), TOps.Broadcast(1f)), TOps.Broadcast(-1f));
    }
}
