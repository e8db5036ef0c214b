using System.Numerics;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// The one switch between the vector and the scalar paths of every kernel outside the width-generic convolution
/// (<see cref="IVectorOps{TV}"/>, which the trainer's width already picks): <c>Vector&lt;T&gt;</c> in BatchNorm, ReLU,
/// dropout, the convolution epilogue and the gradient reduction, SSE in MaxPool2d(2), the vector row copies. The
/// vector paths are off in the whole process with <c>MNIST_ENGINE_SIMD=1</c> (or where the processor does not
/// accelerate <c>Vector&lt;T&gt;</c>), and on a trainer's threads while it works when its
/// <see cref="Trainers.TrainerOptions.Width"/> is <see cref="SimdWidth.Scalar"/>: so a scalar trainer, or the variable,
/// runs no SIMD instruction of ours. Each scalar path computes the same function; sums are added in another order, so the
/// two agree within float rounding, not bit for bit.
/// </summary>
internal static class VectorPaths
{
    private static readonly bool ScalarProcess =
        Environment.GetEnvironmentVariable("MNIST_ENGINE_SIMD") == "1" || !Vector.IsHardwareAccelerated;

    [ThreadStatic] private static bool ScalarThread;

    /// <summary>Whether a kernel called on this thread takes its vector path (read once per call, not per element).</summary>
    public static bool On => !ScalarProcess && !ScalarThread;

    /// <summary>Makes this thread's kernels scalar (or not) until the returned scope is disposed.</summary>
    public static Scope Scalar(bool scalar)
    {
        var scope = new Scope(ScalarThread);
        ScalarThread = scalar;
        return scope;
    }

    /// <summary>Restores the thread's previous setting.</summary>
    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => ScalarThread = previous;
    }
}
