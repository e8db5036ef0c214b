namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A Conv2d on its own (any stride, padding, bias, groups): forward copies the wide output out to a compact tensor; backward
/// copies the compact output gradient into the layer's padded-wide slots and runs the layer's backward a group of
/// images at a time. A strided ungrouped one runs as <see cref="PatchConvolution{TV,TOps}"/> instead, a group of images per
/// matrix product, straight from and to the compact tensors. (A convolution followed by ReLU and BatchNorm2d, in either
/// order, runs fused instead, as <see cref="ConvReluBatchNormUnit{TV,TOps}"/>.)
/// </summary>
internal sealed unsafe class Conv2dUnit<TV, TOps> : TrainUnit
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly string _name;
    private int _weight, _bias = -1;
    private readonly float*[][] _imageTable, _gradientTable;
    private readonly PatchConvolution<TV, TOps>? _patch;

    public Conv2dLayer<TV, TOps> Conv { get; }

    /// <summary>
    /// Whether a layer runs as <see cref="PatchConvolution{TV,TOps}"/>: every strided one, grouped or not (measured against
    /// the phase split on the benchmark stacks' strided layers: docs/engine.md).
    /// </summary>
    public static bool RunsAsPatches(Conv2dGeometry g) => g.Stride > 1;

    public Conv2dUnit(string name, Conv2dGeometry geometry, int batch, int threads, NativeArena arena)
    {
        _name = name;
        Conv = new Conv2dLayer<TV, TOps>(geometry, threads, arena);
        if (RunsAsPatches(geometry)) _patch = new PatchConvolution<TV, TOps>(geometry, threads, arena);
        InputSize = geometry.InputSize;
        OutputSize = geometry.OutputSize;
        Output = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        _imageTable = new float*[threads][];
        _gradientTable = new float*[threads][];
        for (int t = 0; t < threads; t++)
        {
            _imageTable[t] = new float*[Conv.GroupSize];
            _gradientTable[t] = new float*[Conv.GroupSize];
        }
    }

    public override void Register(ParameterLayout layout)
    {
        var g = Conv.Geometry;
        _weight = layout.Add(_name + ".weight", g.WeightCount);
        if (g.Bias) _bias = layout.Add(_name + ".bias", g.OutChannels);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        var g = Conv.Geometry;
        double bound = 1.0 / Math.Sqrt(g.GroupInChannels * g.Taps); // PyTorch's fan_in: the weight's [Cin/G, k, k]
        Uniform(random, parameters + _weight, g.WeightCount, bound);
        if (_bias >= 0) Uniform(random, parameters + _bias, g.OutChannels, bound);
    }

    public override bool NeedsPacking => true;

    public override void Pack(float* parameters)
    {
        if (_patch != null) _patch.Pack(parameters + _weight);
        else Conv.Pack(parameters + _weight);
    }

    public override long MultiplyAdds => Conv.Geometry.MultiplyAdds;

    public override void Forward(int phase, in ChunkWork work) => Run(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) => Run(from, to, thread, parameters);

    private void Run(int from, int to, int thread, float* parameters)
    {
        var g = Conv.Geometry;
        float* bias = _bias >= 0 ? parameters + _bias : null;
        if (_patch != null)
        {
            for (int first = from; first < to; first += _patch.GroupSize)
                _patch.Forward(Input, first, Math.Min(_patch.GroupSize, to - first), bias, thread,
                    Output + (long)first * OutputSize, g.OutHeight * g.OutWidth, OutputSize);
            return;
        }
        for (int i = from; i < to; i++)
        {
            float* wide = Conv.Forward(Input + (long)i * InputSize, bias, thread);
            ConvEpilogue.Copy(wide, Conv.OutputPlane, Conv.OutputRowStride, g.OutChannels, g.OutHeight, g.OutWidth, Output + (long)i * OutputSize);
        }
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        var g = Conv.Geometry;
        int t = work.Thread, group = Conv.GroupSize, plane = g.OutHeight * g.OutWidth;
        if (_patch != null)
        {
            for (int first = work.From; first < work.To; first += _patch.GroupSize)
                _patch.Backward(OutputGradient + (long)first * OutputSize, plane, OutputSize, Input, InputGradient, first,
                    Math.Min(_patch.GroupSize, work.To - first), work.Gradient + _weight, _bias >= 0 ? work.Gradient + _bias : null, t);
            return;
        }
        float** images = stackalloc float*[group];
        float** inputGradients = stackalloc float*[group];
        for (int first = work.From; first < work.To; first += group)
        {
            int members = Math.Min(group, work.To - first);
            for (int k = 0; k < members; k++)
            {
                int i = first + k;
                float* dy = Conv.OutputGradient(t, k), source = OutputGradient + (long)i * OutputSize;
                for (int c = 0; c < g.OutChannels; c++)
                    for (int y = 0; y < g.OutHeight; y++)
                        RowCopy.Copy(source + c * plane + y * g.OutWidth, dy + Conv.GradientIndex(c, y, 0), g.OutWidth);
                images[k] = Input + (long)i * InputSize;
                inputGradients[k] = InputGradient == null ? null : InputGradient + (long)i * InputSize;
            }
            Conv.Backward(images, InputGradient == null ? null : inputGradients, members, work.Gradient + _weight,
                _bias >= 0 ? work.Gradient + _bias : null, t);
        }
    }
}
