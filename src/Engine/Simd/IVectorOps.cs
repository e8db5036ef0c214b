namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// The few vector operations the kernels need, as static members of a struct so that a kernel generic over
/// <c>TOps</c> is compiled once per vector width (512, 256 or scalar) with every call inlined. .NET 10 keeps its own
/// <c>ISimdVector</c> internal, hence this small one.
/// </summary>
internal unsafe interface IVectorOps<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    static abstract TV Zero { get; }

    static abstract TV Load(float* p);

    static abstract void Store(float* p, TV v);

    static abstract TV Broadcast(float x);

    /// <summary>a * b + c, fused where the processor has FMA.</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    /// <summary>The lane-wise minimum (with <see cref="Max"/>: a clamp, as an activation's kernel needs).</summary>
    static abstract TV Min(TV a, TV b);

    static abstract TV Max(TV a, TV b);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TV v);
}
