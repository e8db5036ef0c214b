namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A Conv2d on its own (any stride, padding, bias, groups). Stride 1 runs on the wide kernels (<see cref="Conv2dLayer{TV,TOps}"/>):
/// forward copies the wide output out to a compact tensor; backward copies the compact output gradient into the layer's
/// padded-wide slots and runs the layer's backward a group of images at a time. A strided one, grouped or not, runs as
/// <see cref="PatchConvolution{TV,TOps}"/>, a group of images on the vector lanes, straight from and to the compact
/// tensors. (A convolution followed by ReLU and BatchNorm2d, in either order, runs fused instead, as
/// <see cref="ConvReluBatchNormUnit{TV,TOps}"/>.)
/// </summary>
internal sealed unsafe class Conv2dUnit<TV, TOps> : TrainUnit
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly string _name;
    private int _weight, _bias = -1;
    private readonly Conv2dGeometry _geometry;

    /// <summary>The layer's path: exactly one of the two is set (<see cref="RunsAsPatches"/>).</summary>
    private readonly Conv2dLayer<TV, TOps>? _wide;
    private readonly PatchConvolution<TV, TOps>? _patch;

    /// <summary>
    /// Whether a layer runs as <see cref="PatchConvolution{TV,TOps}"/>: every strided one, grouped or not (measured against
    /// the phase split on the benchmark stacks' strided layers: docs/engine.md).
    /// </summary>
    public static bool RunsAsPatches(Conv2dGeometry g) => g.Stride > 1;

    public Conv2dUnit(string name, Conv2dGeometry geometry, int batch, int threads, NativeArena arena)
    {
        _name = name;
        _geometry = geometry;
        if (RunsAsPatches(geometry)) _patch = new PatchConvolution<TV, TOps>(geometry, threads, arena);
        else _wide = new Conv2dLayer<TV, TOps>(geometry, threads, arena);
        InputSize = geometry.InputSize;
        OutputSize = geometry.OutputSize;
        Output = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
    }

    public override void Register(ParameterLayout layout)
    {
        var g = _geometry;
        _weight = layout.Add(_name + ".weight", g.WeightCount);
        if (g.Bias) _bias = layout.Add(_name + ".bias", g.OutChannels);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        var g = _geometry;
        double bound = 1.0 / Math.Sqrt(g.GroupInChannels * g.Taps); // PyTorch's fan_in: the weight's [Cin/G, k, k]
        Uniform(random, parameters + _weight, g.WeightCount, bound);
        if (_bias >= 0) Uniform(random, parameters + _bias, g.OutChannels, bound);
    }

    public override bool NeedsPacking => true;

    public override void Pack(float* parameters)
    {
        if (_patch != null) _patch.Pack(parameters + _weight);
        else _wide!.Pack(parameters + _weight);
    }

    public override long MultiplyAdds => _geometry.MultiplyAdds;

    public override void Forward(int phase, in ChunkWork work) => Run(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) => Run(from, to, thread, parameters);

    private void Run(int from, int to, int thread, float* parameters)
    {
        var g = _geometry;
        float* bias = _bias >= 0 ? parameters + _bias : null;
        if (_patch != null)
        {
            for (int first = from; first < to; first += _patch.GroupSize)
                _patch.Forward(Input, first, Math.Min(_patch.GroupSize, to - first), bias, thread,
                    Output + (long)first * OutputSize, g.OutHeight * g.OutWidth, OutputSize);
            return;
        }
        var conv = _wide!;
        for (int i = from; i < to; i++)
        {
            float* wide = conv.Forward(Input + (long)i * InputSize, bias, thread);
            ConvEpilogue.Copy(wide, conv.OutputPlane, conv.OutputRowStride, g.OutChannels, g.OutHeight, g.OutWidth, Output + (long)i * OutputSize);
        }
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        var g = _geometry;
        int t = work.Thread, plane = g.OutHeight * g.OutWidth;
        if (_patch != null)
        {
            for (int first = work.From; first < work.To; first += _patch.GroupSize)
                _patch.Backward(OutputGradient + (long)first * OutputSize, plane, OutputSize, Input, InputGradient, first,
                    Math.Min(_patch.GroupSize, work.To - first), work.Gradient + _weight, _bias >= 0 ? work.Gradient + _bias : null, t);
            return;
        }
        var conv = _wide!;
        int group = conv.GroupSize;
        float** images = stackalloc float*[group];
        float** inputGradients = stackalloc float*[group];
        for (int first = work.From; first < work.To; first += group)
        {
            int members = Math.Min(group, work.To - first);
            for (int k = 0; k < members; k++)
            {
                int i = first + k;
                float* dy = conv.OutputGradient(t, k), source = OutputGradient + (long)i * OutputSize;
                for (int c = 0; c < g.OutChannels; c++)
                    for (int y = 0; y < g.OutHeight; y++)
                        RowCopy.Copy(source + c * plane + y * g.OutWidth, dy + conv.GradientIndex(c, y, 0), g.OutWidth);
                images[k] = Input + (long)i * InputSize;
                inputGradients[k] = InputGradient == null ? null : InputGradient + (long)i * InputSize;
            }
            conv.Backward(images, InputGradient == null ? null : inputGradients, members, work.Gradient + _weight,
                _bias >= 0 ? work.Gradient + _bias : null, t);
        }
    }
}
