#if NET8_0_OR_GREATER
using System;

namespace Mnist.Dsl.Simd;

/// <summary>
/// One float per "vector": the same kernels compiled without SIMD, for processors without AVX2 and for the scalar
/// switch. A mask is a float whose bits are all ones or all zeros; the integer operations work on a float's bits.
/// </summary>
internal unsafe struct VecScalar : IVectorOps<float>
{
    private static readonly float True = BitConverter.Int32BitsToSingle(-1);

    public static int Count => 1;
    public static float Zero => 0f;
    public static float Load(float* p) => *p;
    public static void Store(float* p, float v) => *p = v;
    public static float Load(ref float p) => p;
    public static void Store(ref float p, float v) => p = v;
    public static void StoreFirst(ref float p, float v, int count)
    {
        if (count > 0) p = v;
    }

    public static float Broadcast(float x) => x;
    // Not fused: the engine's scalar width is for processors without FMA too, where a software fused multiply-add
    // would be far slower.
    public static float MulAdd(float a, float b, float c) => a * b + c;
    public static float FusedMulAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    public static float Add(float a, float b) => a + b;
    public static float Subtract(float a, float b) => a - b;
    public static float Multiply(float a, float b) => a * b;
    public static float Divide(float a, float b) => a / b;
    public static float Max(float a, float b) => a > b ? a : b;
    public static float Min(float a, float b) => a < b ? a : b;
    public static float Sum(float v) => v;
    public static float GreaterThan(float a, float b) => a > b ? True : 0f;
    public static float GreaterOrNaN(float a, float b) => a > b || float.IsNaN(a) ? True : 0f;
    public static float Equal(float a, float b) => a == b ? True : 0f;
    public static float Select(float mask, float a, float b) => BitConverter.SingleToInt32Bits(mask) != 0 ? a : b;
    public static float FirstLanes(int count) => count > 0 ? True : 0f;

    public static void Deinterleave(float* p, out float even, out float odd)
    {
        even = p[0];
        odd = p[1];
    }

    public static void Interleave(float* p, float even, float odd)
    {
        p[0] = even;
        p[1] = odd;
    }

    public static float Indices(uint first) => Bits(first);
    public static float MultiplyAddBits(float h, uint multiplier, uint addend) => Bits(Bits(h) * multiplier + addend);
    public static float XorShiftRightBits(float h, int shift) => Bits(Bits(h) ^ (Bits(h) >> shift));
    public static float AtLeastBits(float h, uint threshold) => Bits(h) >= threshold ? True : 0f;

    private static float Bits(uint x) => BitConverter.Int32BitsToSingle((int)x);

    private static uint Bits(float x) => (uint)BitConverter.SingleToInt32Bits(x);
}
#endif
