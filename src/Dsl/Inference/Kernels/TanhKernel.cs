#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using Mnist.Dsl.Simd;

namespace Mnist.Dsl.Inference;

/// <summary>
/// tanh on every value of an activation, in place (the Tanh layer at inference), and the function itself as the engine
/// computes it too: x·P(x²)/Q(x²) on x clamped to ±<see cref="Clamp"/>, the rational approximation Eigen uses for float
/// tanh (numerator of degree 13, denominator 6), the result clamped to ±1. Within 4e-7 of tanh everywhere (7 units in
/// the last place), with or without FMA; exactly ±1 past the clamp (the rational is at least 1 there), so a saturated
/// value's gradient is exactly 0 as PyTorch's is. PyTorch's float32 kernel differs from it by that much, so tests
/// compare within a tolerance.
/// </summary>
public static class TanhKernel
{
    /// <summary>Beyond it tanh is ±1 in float, and the rational's value at it is 1 or a rounding above, clamped to 1.</summary>
    public const float Clamp = 9f;

    // Numerator (odd powers: x·(A1 + A3·x² + … + A13·x¹²)) and denominator (even powers: B0 + B2·x² + … + B6·x⁶).
    public const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f, A7 = 5.12229709037114e-08f,
        A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;

    public const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

    /// <summary>tanh of one value: the same steps as the vector path.</summary>
    public static float Of(float x) => Of<float, VecScalar>(x);

    /// <summary>tanh of every lane, at any width (the engine's Tanh unit calls it too, so training and inference agree);
    /// always fused multiply-adds, so a lane's value does not depend on the width that computed it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Of<TV, TOps>(TV x) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        x = TOps.Max(TOps.Min(x, TOps.Broadcast(Clamp)), TOps.Broadcast(-Clamp));
        var x2 = TOps.Multiply(x, x);
        var p = TOps.FusedMulAdd(TOps.Broadcast(A13), x2, TOps.Broadcast(A11));
        p = TOps.FusedMulAdd(p, x2, TOps.Broadcast(A9));
        p = TOps.FusedMulAdd(p, x2, TOps.Broadcast(A7));
        p = TOps.FusedMulAdd(p, x2, TOps.Broadcast(A5));
        p = TOps.FusedMulAdd(p, x2, TOps.Broadcast(A3));
        p = TOps.Multiply(TOps.FusedMulAdd(p, x2, TOps.Broadcast(A1)), x);
        var q = TOps.FusedMulAdd(TOps.Broadcast(B6), x2, TOps.Broadcast(B4));
        q = TOps.FusedMulAdd(q, x2, TOps.Broadcast(B2));
        q = TOps.FusedMulAdd(q, x2, TOps.Broadcast(B0));
        return TOps.Max(TOps.Min(TOps.Divide(p, q), TOps.Broadcast(1f)), TOps.Broadcast(-1f));
    }

    /// <summary>tanh on every value of an activation (not its border, which stays zero: tanh(0) = 0 anyway), in place;
    /// then the epilogue.</summary>
    public static void Apply(Span<float> activation, ActivationLayout layout, Epilogue epilogue) =>
        InferenceKernels.MapInPlace("Tanh", activation, layout, default(TanhLanes), epilogue);

    private readonly struct TanhLanes : ILaneFunction
    {
        public TV Of<TV, TOps>(TV x) where TV : struct where TOps : struct, IVectorOps<TV> => TanhKernel.Of<TV, TOps>(x);
    }
}
#endif
