namespace Mnist.Dsl.Engine.Composition;

/// <summary>Linear (y = W x + b, W [out][in] as PyTorch stores it) on each image's flattened input.</summary>
internal sealed unsafe class LinearUnit : TrainUnit
{
    private readonly string _name;
    private readonly bool _hasBias;
    private int _weight, _bias = -1;
    private readonly float*[] _scratch;

    public LinearUnit(string name, int inFeatures, int outFeatures, bool bias, int batch, int threads, NativeArena arena)
    {
        _name = name;
        _hasBias = bias;
        InputSize = inFeatures;
        OutputSize = outFeatures;
        Output = arena.Floats((long)batch * outFeatures + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * outFeatures + Conv2dGeometry.Slack);
        _scratch = new float*[threads];
        for (int t = 0; t < threads; t++) _scratch[t] = arena.Floats(LinearKernels.Scratch(inFeatures));
    }

    public override void Register(ParameterLayout layout)
    {
        _weight = layout.Add(_name + ".weight", OutputSize * InputSize);
        if (_hasBias) _bias = layout.Add(_name + ".bias", OutputSize);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        double bound = 1.0 / Math.Sqrt(InputSize);
        Uniform(random, parameters + _weight, OutputSize * InputSize, bound);
        if (_bias >= 0) Uniform(random, parameters + _bias, OutputSize, bound);
    }

    public override long MultiplyAdds => (long)InputSize * OutputSize;

    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        LinearKernels.Forward(Input + (long)from * InputSize, InputSize, parameters + _weight, _bias >= 0 ? parameters + _bias : null,
            OutputSize, Output + (long)from * OutputSize, to - from, _scratch[thread]);

    public override void Backward(int phase, in ChunkWork work) =>
        LinearKernels.Backward(Input + (long)work.From * InputSize, InputSize, work.Parameters + _weight, OutputSize,
            OutputGradient + (long)work.From * OutputSize, work.Gradient + _weight, _bias >= 0 ? work.Gradient + _bias : null,
            InputGradient == null ? null : InputGradient + (long)work.From * InputSize, work.To - work.From);
}
