#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static Mnist.Dsl.Inference.Lanes;
using V = System.Runtime.Intrinsics.Vector256<float>;

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
    public static float Of(float x)
    {
        x = MathF.Max(MathF.Min(x, Clamp), -Clamp);
        var x2 = x * x;
        var p = Mad(Mad(Mad(Mad(Mad(Mad(A13, x2, A11), x2, A9), x2, A7), x2, A5), x2, A3), x2, A1) * x;
        var q = Mad(Mad(Mad(B6, x2, B4), x2, B2), x2, B0);
        return MathF.Max(MathF.Min(p / q, 1f), -1f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Of(V x)
    {
        x = Vector256.Max(Vector256.Min(x, Vector256.Create(Clamp)), Vector256.Create(-Clamp));
        var x2 = x * x;
        var p = Mad(Mad(Mad(Mad(Mad(Mad(Vector256.Create(A13), x2, Vector256.Create(A11)), x2, Vector256.Create(A9)), x2, Vector256.Create(A7)),
            x2, Vector256.Create(A5)), x2, Vector256.Create(A3)), x2, Vector256.Create(A1)) * x;
        var q = Mad(Mad(Mad(Vector256.Create(B6), x2, Vector256.Create(B4)), x2, Vector256.Create(B2)), x2, Vector256.Create(B0));
        return Vector256.Max(Vector256.Min(p / q, Vector256.Create(1f)), Vector256.Create(-1f));
    }

    /// <summary>tanh on every value of an activation (not its border, which stays zero: tanh(0) = 0 anyway), in place;
    /// then the epilogue.</summary>
    public static void Apply(Span<float> activation, ActivationLayout layout, Epilogue epilogue)
    {
        const string Name = "Tanh";
        if (activation.Length < layout.Length)
            throw new ArgumentException($"{Name}: the activation has {activation.Length} floats; {layout} needs {layout.Length}.",
                nameof(activation));
        epilogue.Check(layout.Channels, Name);
        var row = layout.Width * layout.Channels;
        for (var y = 0; y < layout.Height; y++)
        {
            var values = activation.Slice((int)layout.Pixel(y, 0), row);
            var i = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; i + V.Count <= row; i += V.Count)
                    Of(Vector256.Create<float>(values.Slice(i, V.Count))).CopyTo(values.Slice(i, V.Count));
            for (; i < row; i++) values[i] = Of(values[i]);
        }
        if (epilogue.ReluFirst || epilogue.Scale is not null || epilogue.ReluLast) InferenceKernels.ApplyEpilogue(activation, layout, epilogue);
    }
}
#endif
