using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>A kernel written once over <see cref="IVectorOps{TV}"/>; <see cref="VectorPaths.Run"/> runs it at this thread's width.</summary>
internal interface IWidthKernel
{
    void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>;
}

/// <summary>
/// A kernel that works on lanes [0, <see cref="Length"/>) independently: <see cref="At"/> does lanes i to i + TOps.Count - 1.
/// <see cref="VectorPaths.Elementwise{TKernel}"/> runs whole vectors at the thread's width and the rest one lane at a time,
/// so one body serves every width and the tail.
/// </summary>
internal interface IElementwiseKernel
{
    int Length { get; }

    void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV>;
}

/// <summary>
/// The width every kernel outside the width-generic convolution runs at (BatchNorm, ReLU, LeakyReLU, dropout, the
/// convolution epilogue, MaxPool2d(2), LogSoftmax, the row copies, the gradient reduction): each is an
/// <see cref="IWidthKernel"/> and this is the one place that turns the width into the kernel's instantiation. The width
/// is the process's (<see cref="SimdWidths.Best"/>: <c>MNIST_ENGINE_SIMD=1</c> makes it scalar) unless a trainer set its
/// own on the thread (<see cref="Trainers.TrainerOptions.Width"/>, the same width its convolutions run at). So a scalar
/// trainer, or the variable, runs no SIMD instruction of ours. The scalar instantiation computes the same function; sums
/// are added in another order, so the widths agree within float rounding, not bit for bit.
/// A 512-bit trainer runs these kernels with 256-bit vectors (its convolutions with 512): measured on the Zen 4 machine
/// (2026-12-07, under load) DefaultNet's step was no faster with them at 512 (medians 915 vs 1,002 images/s over 3
/// alternating rounds, bench/Mnist.Dsl.Engine.Bench 40 5 128 2; docs/engine.md), and the 16-lane BatchNorm sums move seed001-1's
/// rounding noise so that Adam's amplification of it (SampleNetworkTrainerTests) touches 324 parameters, not ~100.
/// </summary>
internal static class VectorPaths
{
    private static readonly SimdWidth ProcessWidth = SimdWidths.Best();

    // 0: not set on this thread, the process's width applies.
    [ThreadStatic] private static SimdWidth ThreadWidth;

    /// <summary>The width a kernel called on this thread runs at.</summary>
    public static SimdWidth Width => ThreadWidth != 0 ? ThreadWidth : ProcessWidth;

    /// <summary>Runs <paramref name="kernel"/> at this thread's <see cref="Width"/>.</summary>
    public static void Run<TKernel>(TKernel kernel) where TKernel : struct, IWidthKernel
    {
        switch (Width)
        {
            case SimdWidth.Bits512 or SimdWidth.Bits256: kernel.Run<Vector256<float>, Vec256>(); break;
            case SimdWidth.Scalar: kernel.Run<float, VecScalar>(); break;
        }
    }

    /// <summary>Runs lanes [0, Length) of <paramref name="kernel"/> at this thread's <see cref="Width"/>.</summary>
    public static void Elementwise<TKernel>(TKernel kernel) where TKernel : struct, IElementwiseKernel
    {
        switch (Width)
        {
            case SimdWidth.Bits512 or SimdWidth.Bits256: Elementwise<Vector256<float>, Vec256, TKernel>(kernel); break;
            case SimdWidth.Scalar: Elementwise<float, VecScalar, TKernel>(kernel); break;
        }
    }

    /// <summary>Lanes [0, Length) of <paramref name="kernel"/>: whole vectors of <typeparamref name="TOps"/>, then one by
    /// one (for a kernel already running at a width, such as one channel of a <see cref="IWidthKernel"/>).</summary>
    public static void Elementwise<TV, TOps, TKernel>(in TKernel kernel)
        where TV : struct where TOps : struct, IVectorOps<TV> where TKernel : struct, IElementwiseKernel
    {
        int i = 0, length = kernel.Length;
        for (; i + TOps.Count <= length; i += TOps.Count) kernel.At<TV, TOps>(i);
        for (; i < length; i++) kernel.At<float, VecScalar>(i);
    }

    /// <summary>Makes this thread's kernels run at <paramref name="width"/> (never wider than the process's) until the
    /// returned scope is disposed.</summary>
    public static Scope Use(SimdWidth width)
    {
        var scope = new Scope(ThreadWidth);
        ThreadWidth = SimdWidths.AtMost(width, ProcessWidth);
        return scope;
    }

    /// <summary>Restores the thread's previous width.</summary>
    public readonly struct Scope(SimdWidth previous) : IDisposable
    {
        public void Dispose() => ThreadWidth = previous;
    }
}
