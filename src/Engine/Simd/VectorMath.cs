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
        if (typeof(TV) == typeof(Vector256<float>)) return (TV)(object)Vector256.Log((Vector256<float>)(object)v);
        if (typeof(TV) == typeof(Vector128<float>)) return (TV)(object)Vector128.Log((Vector128<float>)(object)v);
        if (typeof(TV) == typeof(float)) return (TV)(object)MathF.Log((float)(object)v);
        throw new NotSupportedException($"{typeof(TV)} is not a vector of floats");
    }
}
