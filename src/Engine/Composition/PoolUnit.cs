namespace Mnist.Dsl.Engine.Composition;

/// <summary>MaxPool2d (winning tap kept per output for backward) or AvgPool2d; kernel k, stride s, no padding (the DSL's pools).</summary>
internal sealed unsafe class PoolUnit : TrainUnit
{
    private readonly bool _max;
    private readonly int _channels, _height, _width, _kernel, _stride;
    private readonly byte* _argmax;

    public PoolUnit(bool max, int channels, int height, int width, int kernel, int stride, int batch, NativeArena arena)
    {
        _max = max;
        _channels = channels;
        _height = height;
        _width = width;
        _kernel = kernel;
        _stride = stride;
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1;
        InputSize = channels * height * width;
        OutputSize = channels * ho * wo;
        Output = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        if (max) _argmax = arena.ByteBuffer((long)batch * OutputSize + 64);
    }

    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
        {
            float* x = Input + (long)i * InputSize, y = Output + (long)i * OutputSize;
            if (_max) MaxPool2dKernels.Forward(x, _channels, _height, _width, _kernel, _stride, y, _argmax + (long)i * OutputSize);
            else AvgPool2dKernels.Forward(x, _channels, _height, _width, _kernel, _stride, y);
        }
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
        {
            float* dy = OutputGradient + (long)i * OutputSize, dx = InputGradient + (long)i * InputSize;
            if (_max) MaxPool2dKernels.Backward(dy, _argmax + (long)i * OutputSize, _channels, _height, _width, _kernel, _stride, dx);
            else AvgPool2dKernels.Backward(dy, _channels, _height, _width, _kernel, _stride, dx);
        }
    }
}
