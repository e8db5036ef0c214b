#if NET8_0_OR_GREATER
namespace Mnist.Dsl.Simd;

/// <summary>
/// The vector operations the kernels need, as static members of a struct so that a kernel generic over <c>TOps</c> is
/// compiled once per vector width (512, 256, 128 bits or scalar) with every call inlined: the one way the engine's
/// kernels and the inference kernels use SIMD. .NET keeps its own <c>ISimdVector</c> internal, hence this small one.
/// It lives here (net8.0 build of Mnist.Dsl, internal, visible to the engine) so that both use one copy.
/// A mask is a vector whose lanes are all ones (true) or all zeros (false); scalar masks are floats with those bits.
/// </summary>
internal unsafe interface IVectorOps<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TV Zero { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV v);

    static abstract TV Load(ref float p);

    static abstract void Store(ref float p, TV v);

    /// <summary>Stores the first <paramref name="count"/> lanes (0 to Count) only: a masked store, nothing written past them.</summary>
    static abstract void StoreFirst(ref float p, TV v, int count);

    static abstract TV Broadcast(float x);

    /// <summary>a * b + c, fused where the processor has FMA (the vector widths), else multiply then add (and at the scalar width).</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);

    /// <summary>
    /// a * b + c as <see cref="MulAdd"/>, but fused at the scalar width too (in software where the processor has no
    /// FMA): for the inference kernels, whose channel results must not depend on whether a vector or the scalar rest
    /// computed them (the engine's scalar width is for processors without FMA, so it keeps <see cref="MulAdd"/>).
    /// </summary>
    static abstract TV FusedMulAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);

    static abstract TV Subtract(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    /// <summary>The larger of each lane (the second operand where either is NaN, as maxps does).</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>The smaller of each lane (the second operand where either is NaN, as minps does; with <see cref="Max"/>: a clamp).</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TV v);

    /// <summary>Mask: a &gt; b.</summary>
    static abstract TV GreaterThan(TV a, TV b);

    /// <summary>Mask: a &gt; b or a is NaN (the first-maximum rule of MaxPool2d: a later value wins only when strictly greater, or NaN).</summary>
    static abstract TV GreaterOrNaN(TV a, TV b);

    /// <summary>Mask: a == b.</summary>
    static abstract TV Equal(TV a, TV b);

    /// <summary>Each lane from <paramref name="a"/> where the mask is set, else from <paramref name="b"/>.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Mask: the lanes below <paramref name="count"/> (the part of a vector inside a row).</summary>
    static abstract TV FirstLanes(int count);

    /// <summary>Floats p[0], p[2], ... in <paramref name="even"/> and p[1], p[3], ... in <paramref name="odd"/> (2 Count floats).</summary>
    static abstract void Deinterleave(float* p, out TV even, out TV odd);

    /// <summary>The inverse of <see cref="Deinterleave"/>: even[0], odd[0], even[1], ... to p (2 Count floats).</summary>
    static abstract void Interleave(float* p, TV even, TV odd);

    // The dropout mask's integer hash, on the bits of the lanes (a float vector carries 32-bit integers untouched).

    /// <summary>Lanes first, first + 1, ... as 32-bit integers.</summary>
    static abstract TV Indices(uint first);

    /// <summary>h * multiplier + addend in 32-bit integer arithmetic (wrapping).</summary>
    static abstract TV MultiplyAddBits(TV h, uint multiplier, uint addend);

    /// <summary>h ^ (h &gt;&gt;&gt; shift) in 32-bit integers.</summary>
    static abstract TV XorShiftRightBits(TV h, int shift);

    /// <summary>Mask: h &gt;= threshold as unsigned 32-bit integers.</summary>
    static abstract TV AtLeastBits(TV h, uint threshold);
}
#endif
