using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// Between compact per-image rows and the interleaved layout of <see cref="Convolution.ImageLaneKernels{TV,TOps}"/>
/// (float i of image k at i * lanes + k). Eight full lanes move as 8x8 blocks through AVX shuffles (lanes are 8 only at
/// a trainer's vector widths; a scalar trainer's are 1), the rest one float at a time: on a 28x28 map of one channel
/// the scalar moves took as long as the products. Compiled straight to optimised code, as the kernels are (see
/// <see cref="Convolution.Conv2dLayer{TV,TOps}"/>).
/// </summary>
internal static unsafe class LaneTranspose
{
    /// <summary><paramref name="length"/> floats of each of <paramref name="count"/> images (image k at
    /// <paramref name="source"/> + k * <paramref name="imageStride"/>) into lanes 0..count - 1 of <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Together(float* source, long imageStride, int count, int length, float* target, int lanes)
    {
        int i = 0;
        if (lanes == 8 && count == 8 && Avx.IsSupported)
            for (; i + 8 <= length; i += 8)
            {
                float* from = source + i;
                Transpose(Vector256.Load(from), Vector256.Load(from + imageStride), Vector256.Load(from + 2 * imageStride),
                    Vector256.Load(from + 3 * imageStride), Vector256.Load(from + 4 * imageStride), Vector256.Load(from + 5 * imageStride),
                    Vector256.Load(from + 6 * imageStride), Vector256.Load(from + 7 * imageStride), target + i * 8, 8);
            }
        for (int k = 0; k < count; k++)
        {
            float* from = source + k * imageStride, to = target + k;
            for (int j = i; j < length; j++) to[j * lanes] = from[j];
        }
    }

    /// <summary>Lanes 0..count - 1 of <paramref name="length"/> interleaved floats back to each image's row (image k at
    /// <paramref name="target"/> + k * <paramref name="imageStride"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apart(float* source, int lanes, int count, int length, float* target, long imageStride)
    {
        int i = 0;
        if (lanes == 8 && count == 8 && Avx.IsSupported)
            for (; i + 8 <= length; i += 8)
            {
                float* from = source + i * 8;
                Transpose(Vector256.Load(from), Vector256.Load(from + 8), Vector256.Load(from + 16), Vector256.Load(from + 24),
                    Vector256.Load(from + 32), Vector256.Load(from + 40), Vector256.Load(from + 48), Vector256.Load(from + 56),
                    target + i, imageStride);
            }
        for (int k = 0; k < count; k++)
        {
            float* from = source + k, to = target + k * imageStride;
            for (int j = i; j < length; j++) to[j] = from[j * lanes];
        }
    }

    /// <summary>Rows r0..r7 as columns: float j of row k to <paramref name="target"/> + j * <paramref name="stride"/> + k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* target, long stride)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(target);
        Avx.Permute2x128(u1, u5, 0x20).Store(target + stride);
        Avx.Permute2x128(u2, u6, 0x20).Store(target + 2 * stride);
        Avx.Permute2x128(u3, u7, 0x20).Store(target + 3 * stride);
        Avx.Permute2x128(u0, u4, 0x31).Store(target + 4 * stride);
        Avx.Permute2x128(u1, u5, 0x31).Store(target + 5 * stride);
        Avx.Permute2x128(u2, u6, 0x31).Store(target + 6 * stride);
        Avx.Permute2x128(u3, u7, 0x31).Store(target + 7 * stride);
    }
}
