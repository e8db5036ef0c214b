#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using Mnist.Dsl.Simd;
using static Mnist.Dsl.Inference.Lanes;

namespace Mnist.Dsl.Inference;

/// <summary>A count known when the JIT compiles a generic instantiation: a struct per value, so code over it is specialised.</summary>
internal interface ICount
{
    static abstract int Value { get; }
}

internal struct One : ICount { public static int Value => 1; }

internal struct Two : ICount { public static int Value => 2; }

internal struct Three : ICount { public static int Value => 3; }

internal struct Four : ICount { public static int Value => 4; }

/// <summary>A yes or no known when the JIT compiles a generic instantiation (which parts of an epilogue to apply).</summary>
internal interface IFlag
{
    static abstract bool Value { get; }
}

internal struct Yes : IFlag { public static bool Value => true; }

internal struct No : IFlag { public static bool Value => false; }

/// <summary>A convolution's sizes as the tiles use them, in elements.</summary>
internal readonly record struct TileGeometry(
    int Kernel, int Taps, nint InputRow, nint PixelStep, nint PaddedOut, int OutChannels);

/// <summary>
/// The register-blocked heart of <see cref="InferenceKernels.Convolution"/>: a few neighbouring
/// output pixels × a few vectors of output channels (of <see cref="IVectorOps{TV}"/>'s width), accumulated in registers
/// (at most 14, the rest hold the input broadcast and the weights). Per tap and input
/// channel: one broadcast of each pixel's input value and one fused multiply-add per accumulator, the weights read
/// once for all the block's pixels. Both counts are type parameters so each pair is its own machine code, with every
/// unused accumulator and branch removed, as the literal-sized code the generator used to write was. The epilogue's
/// parts (<see cref="Epilogue"/>: ReLU, scale and shift, ReLU) are type parameters too, so a store costs what it
/// applies and nothing else.
/// </summary>
internal static class ConvolutionTiles
{
    /// <param name="source">The input at the block's first pixel, kernel row 0, channel 0.</param>
    /// <param name="weights">The weights at kernel row 0, tap 0, the group's first output channel.</param>
    /// <param name="bias">The bias at the group's first output channel.</param>
    /// <param name="target">The output at the block's first pixel, the group's first output channel.</param>
    /// <param name="channel">The group's first output channel (for the epilogue and the last, partial vector).</param>
    /// <param name="geometry">The convolution's sizes.</param>
    /// <param name="scale">The epilogue's scales at channel 0 (when <typeparamref name="TAffine"/> is <see cref="Yes"/>).</param>
    /// <param name="shift">The epilogue's shifts at channel 0.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Tile<TV, TOps, TPixels, TVectors, TReluFirst, TAffine, TReluLast>(ref float source, ref float weights, ref float bias,
        ref float target, nint channel, in TileGeometry geometry, ref float scale, ref float shift)
        where TV : struct
        where TOps : struct, IVectorOps<TV>
        where TPixels : struct, ICount
        where TVectors : struct, ICount
        where TReluFirst : struct, IFlag
        where TAffine : struct, IFlag
        where TReluLast : struct, IFlag
    {
        int pixels = TPixels.Value, vectors = TVectors.Value;
        nint lanes = TOps.Count;
        var kernel = geometry.Kernel;
        var taps = geometry.Taps;
        var inputRow = geometry.InputRow;
        var step = geometry.PixelStep;
        var paddedOut = geometry.PaddedOut;
        var kernelRow = taps * paddedOut;

        var b0 = Load<TV, TOps>(ref bias, 0);
        var b1 = vectors > 1 ? Load<TV, TOps>(ref bias, lanes) : default;
        var b2 = vectors > 2 ? Load<TV, TOps>(ref bias, 2 * lanes) : default;
        var b3 = vectors > 3 ? Load<TV, TOps>(ref bias, 3 * lanes) : default;
        TV a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        TV a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        TV a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        TV a30 = b0, a31 = b1, a32 = b2, a33 = b3;

        for (var ky = 0; ky < kernel; ky++)
        {
            // One ref per pixel of the block, so that each broadcast reads [row + t] with no address arithmetic
            // (pixels the block does not have get row0: never read, and no ref past the input).
            ref float row0 = ref At(ref source, ky * inputRow);
            ref float row1 = ref pixels > 1 ? ref At(ref row0, step) : ref row0;
            ref float row2 = ref pixels > 2 ? ref At(ref row0, 2 * step) : ref row0;
            ref float row3 = ref pixels > 3 ? ref At(ref row0, 3 * step) : ref row0;
            ref float tap = ref At(ref weights, ky * kernelRow);
            for (nint t = 0; t < taps; t++)
            {
                var w0 = Load<TV, TOps>(ref tap, 0);
                var w1 = vectors > 1 ? Load<TV, TOps>(ref tap, lanes) : default;
                var w2 = vectors > 2 ? Load<TV, TOps>(ref tap, 2 * lanes) : default;
                var w3 = vectors > 3 ? Load<TV, TOps>(ref tap, 3 * lanes) : default;
                Accumulate<TV, TOps, TVectors>(TOps.Broadcast(At(ref row0, t)), w0, w1, w2, w3, ref a00, ref a01, ref a02, ref a03);
                if (pixels > 1) Accumulate<TV, TOps, TVectors>(TOps.Broadcast(At(ref row1, t)), w0, w1, w2, w3, ref a10, ref a11, ref a12, ref a13);
                if (pixels > 2) Accumulate<TV, TOps, TVectors>(TOps.Broadcast(At(ref row2, t)), w0, w1, w2, w3, ref a20, ref a21, ref a22, ref a23);
                if (pixels > 3) Accumulate<TV, TOps, TVectors>(TOps.Broadcast(At(ref row3, t)), w0, w1, w2, w3, ref a30, ref a31, ref a32, ref a33);
                tap = ref At(ref tap, paddedOut);
            }
        }

        nint pixel = geometry.OutChannels;
        var outChannels = geometry.OutChannels;
        Finish<TV, TOps, TVectors, TReluFirst, TAffine, TReluLast>(ref target, a00, a01, a02, a03, channel, outChannels, ref scale, ref shift);
        if (pixels > 1)
            Finish<TV, TOps, TVectors, TReluFirst, TAffine, TReluLast>(ref At(ref target, pixel), a10, a11, a12, a13, channel, outChannels,
                ref scale, ref shift);
        if (pixels > 2)
            Finish<TV, TOps, TVectors, TReluFirst, TAffine, TReluLast>(ref At(ref target, 2 * pixel), a20, a21, a22, a23, channel, outChannels,
                ref scale, ref shift);
        if (pixels > 3)
            Finish<TV, TOps, TVectors, TReluFirst, TAffine, TReluLast>(ref At(ref target, 3 * pixel), a30, a31, a32, a33, channel, outChannels,
                ref scale, ref shift);
    }

    /// <summary>One pixel's accumulators += its input value (broadcast) × the tap's weight vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TV, TOps, TVectors>(TV input, TV w0, TV w1, TV w2, TV w3, ref TV a0, ref TV a1, ref TV a2, ref TV a3)
        where TV : struct where TOps : struct, IVectorOps<TV> where TVectors : struct, ICount
    {
        a0 = TOps.FusedMulAdd(input, w0, a0);
        if (TVectors.Value > 1) a1 = TOps.FusedMulAdd(input, w1, a1);
        if (TVectors.Value > 2) a2 = TOps.FusedMulAdd(input, w2, a2);
        if (TVectors.Value > 3) a3 = TOps.FusedMulAdd(input, w3, a3);
    }

    /// <summary>One pixel's vectors: the epilogue, then the stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TV, TOps, TVectors, TReluFirst, TAffine, TReluLast>(ref float target, TV v0, TV v1, TV v2, TV v3,
        nint groupChannel, int outChannels, ref float scale, ref float shift)
        where TV : struct where TOps : struct, IVectorOps<TV> where TVectors : struct, ICount
        where TReluFirst : struct, IFlag where TAffine : struct, IFlag where TReluLast : struct, IFlag
    {
        nint lanes = TOps.Count;
        Finish<TV, TOps, TReluFirst, TAffine, TReluLast>(ref target, 0, v0, groupChannel, outChannels, ref scale, ref shift);
        if (TVectors.Value > 1)
            Finish<TV, TOps, TReluFirst, TAffine, TReluLast>(ref target, lanes, v1, groupChannel, outChannels, ref scale, ref shift);
        if (TVectors.Value > 2)
            Finish<TV, TOps, TReluFirst, TAffine, TReluLast>(ref target, 2 * lanes, v2, groupChannel, outChannels, ref scale, ref shift);
        if (TVectors.Value > 3)
            Finish<TV, TOps, TReluFirst, TAffine, TReluLast>(ref target, 3 * lanes, v3, groupChannel, outChannels, ref scale, ref shift);
    }

    /// <summary>The epilogue, then the store: whole when the vector's channels exist, else only the ones that do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TV, TOps, TReluFirst, TAffine, TReluLast>(ref float target, nint local, TV value, nint groupChannel, int outChannels,
        ref float scale, ref float shift)
        where TV : struct where TOps : struct, IVectorOps<TV>
        where TReluFirst : struct, IFlag where TAffine : struct, IFlag where TReluLast : struct, IFlag
    {
        var channel = groupChannel + local;
        if (TReluFirst.Value) value = Relu<TV, TOps>(value);
        if (TAffine.Value) value = TOps.FusedMulAdd(value, Load<TV, TOps>(ref scale, channel), Load<TV, TOps>(ref shift, channel));
        if (TReluLast.Value) value = Relu<TV, TOps>(value);
        if (channel + TOps.Count <= outChannels) Store<TV, TOps>(ref target, local, value);
        else TOps.StoreFirst(ref At(ref target, local), value, (int)(outChannels - channel));
    }
}
#endif
