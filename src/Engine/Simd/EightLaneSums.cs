using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// The lane sums of eight 8-lane vectors at once, as one vector (lane i the sum of vector i): three rounds of
/// horizontal adds and one cross-half add, about a cycle a sum where <see cref="Vector256.Sum{T}(Vector256{T})"/> takes
/// several. For the image-lane weight gradient (<see cref="Convolution.ImageLaneKernels{TV,TOps}"/>), whose every
/// weight ends in a sum over the lanes' images: with one sum at a time those were a third of its time.
/// </summary>
internal static class EightLaneSums
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of(Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3,
        Vector256<float> v4, Vector256<float> v5, Vector256<float> v6, Vector256<float> v7)
    {
        if (!Avx.IsSupported)
            return Vector256.Create(Vector256.Sum(v0), Vector256.Sum(v1), Vector256.Sum(v2), Vector256.Sum(v3),
                Vector256.Sum(v4), Vector256.Sum(v5), Vector256.Sum(v6), Vector256.Sum(v7));
        // Each 128-bit half: [v0 v1 v2 v3] partial sums over its four lanes; the halves' sums then add.
        var low = Avx.HorizontalAdd(Avx.HorizontalAdd(v0, v1), Avx.HorizontalAdd(v2, v3));
        var high = Avx.HorizontalAdd(Avx.HorizontalAdd(v4, v5), Avx.HorizontalAdd(v6, v7));
        return Avx.Add(Avx.Permute2x128(low, high, 0x20), Avx.Permute2x128(low, high, 0x31));
    }
}
