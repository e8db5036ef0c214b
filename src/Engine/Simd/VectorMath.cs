using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// exp and log of each lane, for the kernels generic over <see cref="IVectorOps{TV}"/>. Not members of that interface:
/// it is built for net8.0 (in Mnist.Dsl, shared with the inference kernels), which has no vector exp or log; .NET 10
/// has them. The type tests are constants in each instantiation, so the JIT keeps only the matching line; inlined, so
/// the caller's loop calls the runtime's vector function directly (the wrapper's own call was 1% of random3's step).
/// </summary>
internal static class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV v) where TV : struct
    {
        if (typeof(TV) == typeof(Vector512<float>)) return (TV)(object)Vector512.Exp((Vector512<float>)(object)v);
        if (typeof(TV) == typeof(Vector256<float>)) return (TV)(object)Vector256.Exp((Vector256<float>)(object)v);
        if (typeof(TV) == typeof(Vector128<float>)) return (TV)(object)Vector128.Exp((Vector128<float>)(object)v);
        if (typeof(TV) == typeof(float)) return (TV)(object)MathF.Exp((float)(object)v);
        throw new NotSupportedException($"{typeof(TV)} is not a vector of floats");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log<TV>(TV v) where TV : struct
    {
        if (typeof(TV) == typeof(Vector512<float>)) return (TV)(object)Vector512.Log((Vector512<float>)(object)v);
        if (typeof(TV) == typeof(Vector256<float>)) return (TV)(object)Log((Vector256<float>)(object)v);
        if (typeof(TV) == typeof(Vector128<float>)) return (TV)(object)Vector128.Log((Vector128<float>)(object)v);
        if (typeof(TV) == typeof(float)) return (TV)(object)MathF.Log((float)(object)v);
        throw new NotSupportedException($"{typeof(TV)} is not a vector of floats");
    }

    /// <summary>
    /// Natural log of 8 floats in float arithmetic (Cephes' logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m by a
    /// degree-9 polynomial in m - 1; about 1 ulp, exactly 0 at 1). The runtime's Vector256.Log computes in double and
    /// took 1.7 µs per 784 floats here, most of a 28x28 one-channel LogSoftmax's time. Lanes outside the positive
    /// normal floats (0, subnormals, infinities, negatives, NaN) take the runtime's value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Log(Vector256<float> x)
    {
        var bits = x.AsInt32();
        var exponent = Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(126);
        var m = ((bits & Vector256.Create(0x007FFFFF)) | Vector256.Create(0x3F000000)).AsSingle();
        var low = Vector256.LessThan(m, Vector256.Create(0.707106781186547524f));
        exponent += low.AsInt32();
        var f = m + (m & low) - Vector256.Create(1f);
        var z = f * f;
        var y = Vector256.Create(7.0376836292E-2f);
        y = y * f + Vector256.Create(-1.1514610310E-1f);
        y = y * f + Vector256.Create(1.1676998740E-1f);
        y = y * f + Vector256.Create(-1.2420140846E-1f);
        y = y * f + Vector256.Create(1.4249322787E-1f);
        y = y * f + Vector256.Create(-1.6668057665E-1f);
        y = y * f + Vector256.Create(2.0000714765E-1f);
        y = y * f + Vector256.Create(-2.4999993993E-1f);
        y = y * f + Vector256.Create(3.3333331174E-1f);
        y = y * f * z;
        var e = Vector256.ConvertToSingle(exponent);
        y += e * Vector256.Create(-2.12194440e-4f);
        y += z * Vector256.Create(-0.5f);
        var log = f + y + e * Vector256.Create(0.693359375f);
        // 2^-126, the smallest normal float.
        var normal = Vector256.GreaterThanOrEqual(x, Vector256.Create(1.17549435E-38f))
            & Vector256.LessThan(x, Vector256.Create(float.PositiveInfinity));
        // The mask's lanes compared as integers (all ones is a NaN as a float).
        return Vector256.EqualsAll(normal.AsInt32(), Vector256<int>.AllBitsSet) ? log : Vector256.ConditionalSelect(normal, log, Vector256.Log(x));
    }
}
