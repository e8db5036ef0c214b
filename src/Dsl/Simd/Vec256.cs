#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector256<float>;
using U = System.Runtime.Intrinsics.Vector256<uint>;

namespace Mnist.Dsl.Simd;

/// <summary>8 floats per vector (AVX2; FMA where present, else multiply then add).</summary>
internal unsafe struct Vec256 : IVectorOps<V>
{
    public static int Count => 8;
    public static V Zero => V.Zero;
    public static V Load(float* p) => Vector256.Load(p);
    public static void Store(float* p, V v) => v.Store(p);
    public static V Load(ref float p) => Vector256.LoadUnsafe(ref p);
    public static void Store(ref float p, V v) => v.StoreUnsafe(ref p);
    /// <summary>The lower half whole where 4 or more lanes go, the rest by <see cref="Vec128.StoreFirst"/> (a masked
    /// store is microcoded and slow on AMD processors). Inlined, as its callers are: a call inside the inference
    /// convolution's tile made the JIT spill the accumulators around it, and DefaultNet ran 3 times slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(ref float p, V v, int count)
    {
        if (count < 4)
        {
            Vec128.StoreFirst(ref p, v.GetLower(), count);
            return;
        }
        v.GetLower().StoreUnsafe(ref p);
        Vec128.StoreFirst(ref Unsafe.Add(ref p, 4), v.GetUpper(), count - 4);
    }

    public static V Broadcast(float x) => Vector256.Create(x);
    public static V MulAdd(V a, V b, V c) => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
    public static V FusedMulAdd(V a, V b, V c) => MulAdd(a, b, c);
    public static V Add(V a, V b) => a + b;
    public static V Subtract(V a, V b) => a - b;
    public static V Multiply(V a, V b) => a * b;
    public static V Divide(V a, V b) => a / b;
    public static V Max(V a, V b) => Avx.IsSupported ? Avx.Max(a, b) : Vector256.ConditionalSelect(Vector256.GreaterThan(a, b), a, b);
    public static V Min(V a, V b) => Avx.IsSupported ? Avx.Min(a, b) : Vector256.ConditionalSelect(Vector256.LessThan(a, b), a, b);
    public static float Sum(V v) => Vector256.Sum(v);
    public static V GreaterThan(V a, V b) => Vector256.GreaterThan(a, b);
    public static V GreaterOrNaN(V a, V b) => Vector256.GreaterThan(a, b) | ~Vector256.Equals(a, a);
    public static V Equal(V a, V b) => Vector256.Equals(a, b);
    public static V Select(V mask, V a, V b) => Vector256.ConditionalSelect(mask, a, b);
    public static V FirstLanes(int count) => Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(float* p, out V even, out V odd)
    {
        V a = Vector256.Load(p), b = Vector256.Load(p + 8);
        // In-lane shuffles give [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute puts the halves in order.
        even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(float* p, V even, V odd)
    {
        V low = Avx.UnpackLow(even, odd), high = Avx.UnpackHigh(even, odd);
        Avx.Permute2x128(low, high, 0x20).Store(p);
        Avx.Permute2x128(low, high, 0x31).Store(p + 8);
    }

    public static V Indices(uint first) => (Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(first)).AsSingle();
    public static V MultiplyAddBits(V h, uint multiplier, uint addend) =>
        (h.AsUInt32() * Vector256.Create(multiplier) + Vector256.Create(addend)).AsSingle();
    public static V XorShiftRightBits(V h, int shift) => (h.AsUInt32() ^ Vector256.ShiftRightLogical(h.AsUInt32(), shift)).AsSingle();
    public static V AtLeastBits(V h, uint threshold) => Vector256.GreaterThanOrEqual(h.AsUInt32(), Vector256.Create(threshold)).AsSingle();
}
#endif
