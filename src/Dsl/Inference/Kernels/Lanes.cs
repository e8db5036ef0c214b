#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mnist.Dsl.Simd;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The kernels' small helpers: unchecked reads and writes through refs (the public entry points check every
/// extent once per call), and the epilogue on a vector of any width (<see cref="IVectorOps{TV}"/>; a single value is
/// the <see cref="VecScalar"/> case).
/// </summary>
internal static class Lanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(ref float origin, nint offset) => ref Unsafe.Add(ref origin, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float Data(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Load<TV, TOps>(ref float origin, nint offset) where TV : struct where TOps : struct, IVectorOps<TV> =>
        TOps.Load(ref Unsafe.Add(ref origin, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TV, TOps>(ref float origin, nint offset, TV value) where TV : struct where TOps : struct, IVectorOps<TV> =>
        TOps.Store(ref Unsafe.Add(ref origin, offset), value);

    /// <summary>max(0, a) with NaN kept (as MathF.Max(a, 0) and PyTorch's relu).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Relu<TV, TOps>(TV a) where TV : struct where TOps : struct, IVectorOps<TV> => TOps.Max(TOps.Zero, a);

    /// <summary>The epilogue on channels <paramref name="channel"/> to <paramref name="channel"/> + TOps.Count - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Apply<TV, TOps>(in Epilogue epilogue, TV value, nint channel) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        if (epilogue.ReluFirst) value = Relu<TV, TOps>(value);
        if (epilogue.Scale is { } scale)
            value = TOps.FusedMulAdd(value, Load<TV, TOps>(ref Data(scale), channel), Load<TV, TOps>(ref Data(epilogue.Shift!), channel));
        if (epilogue.ReluLast) value = Relu<TV, TOps>(value);
        return value;
    }

    /// <summary>The epilogue on one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(in Epilogue epilogue, float value, nint channel) => Apply<float, VecScalar>(epilogue, value, channel);
}
#endif
