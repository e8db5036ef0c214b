using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// MaxPool2d (winning tap kept per output for backward) or AvgPool2d; kernel k, stride s, no padding (the DSL's pools).
/// AvgPool2d of stride 1 or stride = kernel runs <see cref="PoolWindows{TV,TOps}"/>; MaxPool2d its kernels' branch-free scan
/// (2x2 stride 2: a vector of windows at a time).
/// The windows' scratch is per thread; the one PoolWindows' stride-1 backward needs keeps its zero border.
/// </summary>
internal sealed unsafe class PoolUnit<TV, TOps> : MapUnit
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly bool _max;
    private readonly int _kernel, _stride;
    private readonly byte* _argmax;
    private readonly float*[] _rows;
    private readonly bool _windows;

    public PoolUnit(bool max, int channels, int height, int width, int kernel, int stride, int batch, int threads, NativeArena arena)
        : base(channels, height, width, channels * Pooled(height, kernel, stride) * Pooled(width, kernel, stride), batch, arena)
    {
        _max = max;
        _kernel = kernel;
        _stride = stride;
        if (max) _argmax = arena.ByteBuffer((long)batch * OutputSize + 64);
        _windows = !max && PoolWindows<TV, TOps>.RunsAverage(kernel, stride);
        _rows = new float*[threads];
        for (int t = 0; t < threads; t++) _rows[t] = arena.Floats(PoolWindows<TV, TOps>.Scratch(height, width, kernel));
    }

    /// <summary>
    /// Whether the average windows run 8-lane vectors for a wider <typeparamref name="TV"/>: the maps after the first
    /// layers are rows of 4 to 14, which 16 lanes would leave to the scalar rest (random3's 11-wide rows did).
    /// </summary>
    private static bool Narrowed => TOps.Count > 8;

    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
        {
            float* x = Input + (long)i * InputSize, y = Output + (long)i * OutputSize;
            byte* argmax = _max ? _argmax + (long)i * OutputSize : null;
            if (_max) MaxPool2dKernels.Forward(x, Channels, Height, Width, _kernel, _stride, y, argmax);
            else if (_windows && Narrowed)
                PoolWindows<Vector256<float>, Vec256>.AverageForward(x, Channels, Height, Width, _kernel, _stride, y, _rows[thread]);
            else if (_windows) PoolWindows<TV, TOps>.AverageForward(x, Channels, Height, Width, _kernel, _stride, y, _rows[thread]);
            else AvgPool2dKernels.Forward(x, Channels, Height, Width, _kernel, _stride, y);
        }
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        int t = work.Thread;
        for (int i = work.From; i < work.To; i++)
        {
            float* dy = OutputGradient + (long)i * OutputSize, dx = InputGradient + (long)i * InputSize;
            if (_max) MaxPool2dKernels.Backward(dy, _argmax + (long)i * OutputSize, Channels, Height, Width, _kernel, _stride, dx);
            else if (_windows && Narrowed)
                PoolWindows<Vector256<float>, Vec256>.AverageBackward(dy, Channels, Height, Width, _kernel, _stride, dx, _rows[t]);
            else if (_windows) PoolWindows<TV, TOps>.AverageBackward(dy, Channels, Height, Width, _kernel, _stride, dx, _rows[t]);
            else AvgPool2dKernels.Backward(dy, Channels, Height, Width, _kernel, _stride, dx);
        }
    }

    /// <summary>Windows along a side of <paramref name="size"/> (no padding).</summary>
    private static int Pooled(int size, int kernel, int stride) => (size - kernel) / stride + 1;
}
