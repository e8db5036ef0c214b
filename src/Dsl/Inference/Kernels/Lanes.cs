#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The kernels' small helpers: unchecked reads and writes through refs (the public entry points check every
/// extent once per call), 8-wide vectors, and the epilogue on a vector or a single value.
/// </summary>
internal static class Lanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float At(ref float origin, nint offset) => ref Unsafe.Add(ref origin, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref float Data(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Load(ref float origin, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref origin, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref float origin, nint offset, V value) => Vector256.StoreUnsafe(value, ref Unsafe.Add(ref origin, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Mad(V a, V b, V c) => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mad(float a, float b, float c) => System.MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Relu(V a) => Vector256.Max(a, V.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float a) => System.MathF.Max(a, 0f);

    /// <summary>The epilogue on channels <paramref name="channel"/> to <paramref name="channel"/> + 7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply(in Epilogue epilogue, V value, nint channel)
    {
        if (epilogue.ReluFirst) value = Relu(value);
        if (epilogue.Scale is { } scale) value = Mad(value, Load(ref Data(scale), channel), Load(ref Data(epilogue.Shift!), channel));
        if (epilogue.ReluLast) value = Relu(value);
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Apply(in Epilogue epilogue, float value, nint channel)
    {
        if (epilogue.ReluFirst) value = Relu(value);
        if (epilogue.Scale is { } scale) value = Mad(value, At(ref Data(scale), channel), At(ref Data(epilogue.Shift!), channel));
        if (epilogue.ReluLast) value = Relu(value);
        return value;
    }

    /// <summary>The first <paramref name="count"/> lanes of <paramref name="value"/>: the last output channels when
    /// their number is not a multiple of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePartial(ref float origin, nint offset, V value, int count)
    {
        var lane = 0;
        if (count >= 4)
        {
            Vector128.StoreUnsafe(value.GetLower(), ref Unsafe.Add(ref origin, offset));
            lane = 4;
        }
        for (; lane < count; lane++) Unsafe.Add(ref origin, offset + lane) = value.GetElement(lane);
    }
}
#endif
