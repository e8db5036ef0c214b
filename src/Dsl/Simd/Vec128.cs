#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector128<float>;

namespace Mnist.Dsl.Simd;

/// <summary>
/// 4 floats per vector (SSE): not a width of its own, the narrower step a kernel takes inside a 256- or 512-bit run
/// where a row is too short for the wide vector (MaxPool2d(2) over 8 to 15 columns).
/// </summary>
internal unsafe struct Vec128 : IVectorOps<V>
{
    public static int Count => 4;
    public static V Zero => V.Zero;
    public static V Load(float* p) => Vector128.Load(p);
    public static void Store(float* p, V v) => v.Store(p);
    public static V Load(ref float p) => Vector128.LoadUnsafe(ref p);
    public static void Store(ref float p, V v) => v.StoreUnsafe(ref p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreFirst(ref float p, V v, int count)
    {
        if (count == 4) v.StoreUnsafe(ref p);
        else for (var lane = 0; lane < count; lane++) Unsafe.Add(ref p, lane) = v.GetElement(lane);
    }

    public static V Broadcast(float x) => Vector128.Create(x);
    public static V MulAdd(V a, V b, V c) => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
    public static V FusedMulAdd(V a, V b, V c) => MulAdd(a, b, c);
    public static V Add(V a, V b) => a + b;
    public static V Subtract(V a, V b) => a - b;
    public static V Multiply(V a, V b) => a * b;
    public static V Divide(V a, V b) => a / b;
    public static V Max(V a, V b) => Sse.IsSupported ? Sse.Max(a, b) : Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);
    public static V Min(V a, V b) => Sse.IsSupported ? Sse.Min(a, b) : Vector128.ConditionalSelect(Vector128.LessThan(a, b), a, b);
    public static float Sum(V v) => Vector128.Sum(v);
    public static V GreaterThan(V a, V b) => Vector128.GreaterThan(a, b);
    public static V GreaterOrNaN(V a, V b) => Vector128.GreaterThan(a, b) | ~Vector128.Equals(a, a);
    public static V Equal(V a, V b) => Vector128.Equals(a, b);
    public static V Select(V mask, V a, V b) => Vector128.ConditionalSelect(mask, a, b);
    public static V FirstLanes(int count) => Vector128.LessThan(Vector128.Create(0, 1, 2, 3), Vector128.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(float* p, out V even, out V odd)
    {
        if (!Sse.IsSupported)
        {
            even = Vector128.Create(p[0], p[2], p[4], p[6]);
            odd = Vector128.Create(p[1], p[3], p[5], p[7]);
            return;
        }
        V a = Vector128.Load(p), b = Vector128.Load(p + 4);
        even = Sse.Shuffle(a, b, 0b10_00_10_00);
        odd = Sse.Shuffle(a, b, 0b11_01_11_01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(float* p, V even, V odd)
    {
        if (!Sse.IsSupported)
        {
            for (int i = 0; i < 4; i++) { p[2 * i] = even.GetElement(i); p[2 * i + 1] = odd.GetElement(i); }
            return;
        }
        Sse.UnpackLow(even, odd).Store(p);
        Sse.UnpackHigh(even, odd).Store(p + 4);
    }

    public static V Indices(uint first) => (Vector128.Create(0u, 1, 2, 3) + Vector128.Create(first)).AsSingle();
    public static V MultiplyAddBits(V h, uint multiplier, uint addend) =>
        (h.AsUInt32() * Vector128.Create(multiplier) + Vector128.Create(addend)).AsSingle();
    public static V XorShiftRightBits(V h, int shift) => (h.AsUInt32() ^ Vector128.ShiftRightLogical(h.AsUInt32(), shift)).AsSingle();
    public static V AtLeastBits(V h, uint threshold) => Vector128.GreaterThanOrEqual(h.AsUInt32(), Vector128.Create(threshold)).AsSingle();
}
#endif
