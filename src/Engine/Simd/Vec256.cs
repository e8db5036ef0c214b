using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>8 floats per vector (AVX2; FMA where present, else multiply then add).</summary>
public unsafe struct Vec256 : IVectorOps<Vector256<float>>
{
    public static int Count => 8;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Vector256.Sum(v);

    // Vector256.Sum adds ((e0 + e1) + (e2 + e3)) + ((e4 + e5) + (e6 + e7)); two rounds of horizontal adds form the
    // same pairs for four vectors at once (one 128-bit half each), and one add joins the halves: 7 instructions
    // instead of 4 x 11. The weight gradient of a small plane spent more time in these sums than in its FMAs.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sums(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, float* sums)
    {
        if (!Avx.IsSupported)
        {
            sums[0] = Vector256.Sum(a);
            sums[1] = Vector256.Sum(b);
            sums[2] = Vector256.Sum(c);
            sums[3] = Vector256.Sum(d);
            return;
        }

        // [a0+a1, a2+a3, b0+b1, b2+b3 | a4+a5, a6+a7, b4+b5, b6+b7], the same for c and d, then the quarter sums.
        var quarters = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
        (quarters.GetLower() + quarters.GetUpper()).Store(sums);
    }
}
