#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using static Mnist.Dsl.Inference.Lanes;
using V = System.Runtime.Intrinsics.Vector256<float>;

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
/// output pixels × a few 8-wide vectors of output channels, accumulated in registers
/// (at most 14 of the 16 YMM registers, the rest hold the input broadcast and the weights). Per tap and input
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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Tile<TPixels, TVectors, TReluFirst, TAffine, TReluLast>(ref float source, ref float weights, ref float bias, ref float target,
        nint channel,
        in TileGeometry geometry, ref float scale, ref float shift)
        where TPixels : struct, ICount
        where TVectors : struct, ICount
        where TReluFirst : struct, IFlag
        where TAffine : struct, IFlag
        where TReluLast : struct, IFlag
    {
        int pixels = TPixels.Value, vectors = TVectors.Value;
        var kernel = geometry.Kernel;
        var taps = geometry.Taps;
        var inputRow = geometry.InputRow;
        var step = geometry.PixelStep;
        var paddedOut = geometry.PaddedOut;
        var kernelRow = taps * paddedOut;

        var b0 = Load(ref bias, 0);
        var b1 = vectors > 1 ? Load(ref bias, 8) : default;
        var b2 = vectors > 2 ? Load(ref bias, 16) : default;
        var b3 = vectors > 3 ? Load(ref bias, 24) : default;
        V a00 = b0, a01 = b1, a02 = b2, a03 = b3;
        V a10 = b0, a11 = b1, a12 = b2, a13 = b3;
        V a20 = b0, a21 = b1, a22 = b2, a23 = b3;
        V a30 = b0, a31 = b1, a32 = b2, a33 = b3;

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
                var w0 = Load(ref tap, 0);
                var w1 = vectors > 1 ? Load(ref tap, 8) : default;
                var w2 = vectors > 2 ? Load(ref tap, 16) : default;
                var w3 = vectors > 3 ? Load(ref tap, 24) : default;
                var i0 = Vector256.Create(At(ref row0, t));
                a00 = Mad(i0, w0, a00);
                if (vectors > 1) a01 = Mad(i0, w1, a01);
                if (vectors > 2) a02 = Mad(i0, w2, a02);
                if (vectors > 3) a03 = Mad(i0, w3, a03);
                if (pixels > 1)
                {
                    var i1 = Vector256.Create(At(ref row1, t));
                    a10 = Mad(i1, w0, a10);
                    if (vectors > 1) a11 = Mad(i1, w1, a11);
                    if (vectors > 2) a12 = Mad(i1, w2, a12);
                    if (vectors > 3) a13 = Mad(i1, w3, a13);
                }
                if (pixels > 2)
                {
                    var i2 = Vector256.Create(At(ref row2, t));
                    a20 = Mad(i2, w0, a20);
                    if (vectors > 1) a21 = Mad(i2, w1, a21);
                    if (vectors > 2) a22 = Mad(i2, w2, a22);
                    if (vectors > 3) a23 = Mad(i2, w3, a23);
                }
                if (pixels > 3)
                {
                    var i3 = Vector256.Create(At(ref row3, t));
                    a30 = Mad(i3, w0, a30);
                    if (vectors > 1) a31 = Mad(i3, w1, a31);
                    if (vectors > 2) a32 = Mad(i3, w2, a32);
                    if (vectors > 3) a33 = Mad(i3, w3, a33);
                }
                tap = ref At(ref tap, paddedOut);
            }
        }

        nint pixel = geometry.OutChannels;
        var outChannels = geometry.OutChannels;
        Finish<TReluFirst, TAffine, TReluLast>(ref target, 0, a00, channel, outChannels, ref scale, ref shift);
        if (vectors > 1) Finish<TReluFirst, TAffine, TReluLast>(ref target, 8, a01, channel, outChannels, ref scale, ref shift);
        if (vectors > 2) Finish<TReluFirst, TAffine, TReluLast>(ref target, 16, a02, channel, outChannels, ref scale, ref shift);
        if (vectors > 3) Finish<TReluFirst, TAffine, TReluLast>(ref target, 24, a03, channel, outChannels, ref scale, ref shift);
        if (pixels > 1)
        {
            ref float t1 = ref At(ref target, pixel);
            Finish<TReluFirst, TAffine, TReluLast>(ref t1, 0, a10, channel, outChannels, ref scale, ref shift);
            if (vectors > 1) Finish<TReluFirst, TAffine, TReluLast>(ref t1, 8, a11, channel, outChannels, ref scale, ref shift);
            if (vectors > 2) Finish<TReluFirst, TAffine, TReluLast>(ref t1, 16, a12, channel, outChannels, ref scale, ref shift);
            if (vectors > 3) Finish<TReluFirst, TAffine, TReluLast>(ref t1, 24, a13, channel, outChannels, ref scale, ref shift);
        }
        if (pixels > 2)
        {
            ref float t2 = ref At(ref target, 2 * pixel);
            Finish<TReluFirst, TAffine, TReluLast>(ref t2, 0, a20, channel, outChannels, ref scale, ref shift);
            if (vectors > 1) Finish<TReluFirst, TAffine, TReluLast>(ref t2, 8, a21, channel, outChannels, ref scale, ref shift);
            if (vectors > 2) Finish<TReluFirst, TAffine, TReluLast>(ref t2, 16, a22, channel, outChannels, ref scale, ref shift);
            if (vectors > 3) Finish<TReluFirst, TAffine, TReluLast>(ref t2, 24, a23, channel, outChannels, ref scale, ref shift);
        }
        if (pixels > 3)
        {
            ref float t3 = ref At(ref target, 3 * pixel);
            Finish<TReluFirst, TAffine, TReluLast>(ref t3, 0, a30, channel, outChannels, ref scale, ref shift);
            if (vectors > 1) Finish<TReluFirst, TAffine, TReluLast>(ref t3, 8, a31, channel, outChannels, ref scale, ref shift);
            if (vectors > 2) Finish<TReluFirst, TAffine, TReluLast>(ref t3, 16, a32, channel, outChannels, ref scale, ref shift);
            if (vectors > 3) Finish<TReluFirst, TAffine, TReluLast>(ref t3, 24, a33, channel, outChannels, ref scale, ref shift);
        }
    }

    /// <summary>The epilogue, then the store: whole when the vector's 8 channels exist, else only the ones that do.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Finish<TReluFirst, TAffine, TReluLast>(ref float target, nint local, V value, nint groupChannel, int outChannels,
        ref float scale, ref float shift)
        where TReluFirst : struct, IFlag
        where TAffine : struct, IFlag
        where TReluLast : struct, IFlag
    {
        var channel = groupChannel + local;
        if (TReluFirst.Value) value = Relu(value);
        if (TAffine.Value) value = Mad(value, Load(ref scale, channel), Load(ref shift, channel));
        if (TReluLast.Value) value = Relu(value);
        if (channel + 8 <= outChannels) Store(ref target, local, value);
        else StorePartial(ref target, local, value, (int)(outChannels - channel));
    }
}
#endif
