#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector512<float>;

namespace Mnist.Dsl.Simd;

/// <summary>16 floats per vector (AVX-512F; chosen only where <see cref="Vector512.IsHardwareAccelerated"/>).</summary>
internal unsafe struct Vec512 : IVectorOps<V>
{
    public static int Count => 16;
    public static V Zero => V.Zero;
    public static V Load(float* p) => Vector512.Load(p);
    public static void Store(float* p, V v) => v.Store(p);
    public static V Load(ref float p) => Vector512.LoadUnsafe(ref p);
    public static void Store(ref float p, V v) => v.StoreUnsafe(ref p);
    /// <summary>The lower half whole where 8 or more lanes go, the rest by <see cref="Vec256.StoreFirst"/> (a masked
    /// store is microcoded and slow on AMD processors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(ref float p, V v, int count)
    {
        if (count < 8)
        {
            Vec256.StoreFirst(ref p, v.GetLower(), count);
            return;
        }
        v.GetLower().StoreUnsafe(ref p);
        Vec256.StoreFirst(ref Unsafe.Add(ref p, 8), v.GetUpper(), count - 8);
    }

    public static V Broadcast(float x) => Vector512.Create(x);
    public static V MulAdd(V a, V b, V c) => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;
    public static V FusedMulAdd(V a, V b, V c) => MulAdd(a, b, c);
    public static V Add(V a, V b) => a + b;
    public static V Subtract(V a, V b) => a - b;
    public static V Multiply(V a, V b) => a * b;
    public static V Divide(V a, V b) => a / b;
    public static V Max(V a, V b) => Avx512F.IsSupported ? Avx512F.Max(a, b) : Vector512.ConditionalSelect(Vector512.GreaterThan(a, b), a, b);
    public static V Min(V a, V b) => Avx512F.IsSupported ? Avx512F.Min(a, b) : Vector512.ConditionalSelect(Vector512.LessThan(a, b), a, b);
    public static float Sum(V v) => Vector512.Sum(v);
    public static V GreaterThan(V a, V b) => Vector512.GreaterThan(a, b);
    public static V GreaterOrNaN(V a, V b) => Vector512.GreaterThan(a, b) | ~Vector512.Equals(a, a);
    public static V Equal(V a, V b) => Vector512.Equals(a, b);
    public static V Select(V mask, V a, V b) => Vector512.ConditionalSelect(mask, a, b);
    public static V FirstLanes(int count) => Vector512.LessThan(Lanes, Vector512.Create(count)).AsSingle();

    private static Vector512<int> Lanes => Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(float* p, out V even, out V odd)
    {
        V a = Vector512.Load(p), b = Vector512.Load(p + 16);
        // Lane i of the result takes lane 2i (2i + 1) of the 32 floats of a and b.
        even = Avx512F.PermuteVar16x32x2(a, Lanes + Lanes, b);
        odd = Avx512F.PermuteVar16x32x2(a, Lanes + Lanes + Vector512.Create(1), b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(float* p, V even, V odd)
    {
        // Output lane 2i is even[i] (index i), lane 2i + 1 is odd[i] (index 16 + i).
        var low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        Avx512F.PermuteVar16x32x2(even, low, odd).Store(p);
        Avx512F.PermuteVar16x32x2(even, low + Vector512.Create(8), odd).Store(p + 16);
    }

    public static V Indices(uint first) => (Lanes.AsUInt32() + Vector512.Create(first)).AsSingle();
    public static V MultiplyAddBits(V h, uint multiplier, uint addend) =>
        (h.AsUInt32() * Vector512.Create(multiplier) + Vector512.Create(addend)).AsSingle();
    public static V XorShiftRightBits(V h, int shift) => (h.AsUInt32() ^ Vector512.ShiftRightLogical(h.AsUInt32(), shift)).AsSingle();
    public static V AtLeastBits(V h, uint threshold) => Vector512.GreaterThanOrEqual(h.AsUInt32(), Vector512.Create(threshold)).AsSingle();
}
#endif
