namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// One step of a composed network (a layer, or layers fused): train-mode forward and backward for a chunk of images,
/// cut into phases where the batch couples. A unit with n forward phases needs a barrier after each of the first n - 1;
/// after that barrier every thread calls <see cref="FinishForward"/> (BatchNorm turns the chunks' sums into batch
/// statistics there). The same for backward. Consecutive phases of different units run in one chunk loop, so a
/// chunk's activations are still in cache for the next unit.
/// </summary>
/// <remarks>
/// Buffers: a unit owns its <see cref="Output"/> and <see cref="OutputGradient"/> (batch x <see cref="OutputSize"/>,
/// <see cref="Convolution.Conv2dGeometry.Slack"/> readable floats after them); the trainer points <see cref="Input"/>
/// and <see cref="InputGradient"/> at the previous unit's (InputGradient null for the first unit: nothing needs it).
/// Backward overwrites the input gradient and adds parameter gradients to the chunk's accumulator.
/// </remarks>
internal abstract unsafe class TrainUnit
{
    /// <summary>Floats per image in and out.</summary>
    public int InputSize { get; protected init; }

    public int OutputSize { get; protected init; }

    public float* Input { get; internal set; }

    public float* InputGradient { get; internal set; }

    public float* Output { get; protected set; }

    public float* OutputGradient { get; protected set; }

    public virtual int ForwardPhases => 1;

    public virtual int BackwardPhases => 1;

    public abstract void Forward(int phase, in ChunkWork work);

    /// <summary>After the barrier that ends forward phase <paramref name="phase"/>; every thread, once.</summary>
    public virtual void FinishForward(int phase, int thread, int batch) { }

    public abstract void Backward(int phase, in ChunkWork work);

    /// <summary>
    /// After the barrier that ends backward phase <paramref name="phase"/>; every thread, once. Gradients the unit adds
    /// once per step (not per chunk) go to <paramref name="sharedGradient"/>, and only from thread 0.
    /// </summary>
    public virtual void FinishBackward(int phase, int thread, int batch, float* sharedGradient) { }

    /// <summary>Evaluation-mode forward of images [from, to): no barrier, running statistics, no dropout.</summary>
    public abstract void Evaluate(int from, int to, int thread, float* parameters);

    /// <summary>Reserves the unit's parameters under their state-dict keys (in registration order).</summary>
    public virtual void Register(ParameterLayout layout) { }

    /// <summary>PyTorch's default initialisation of the unit's parameters, drawing from <paramref name="random"/> in layer order.</summary>
    public virtual void Initialize(SplitMix64 random, float* parameters) { }

    /// <summary>Float buffers (BatchNorm's running statistics) under their state-dict keys.</summary>
    public virtual IEnumerable<(string Name, nint Data, int Count)> Buffers => [];

    /// <summary>Convolutions keep packed weights: refreshed after every update and after the caller writes parameters.</summary>
    public virtual bool NeedsPacking => false;

    public virtual void Pack(float* parameters) { }

    /// <summary>Multiply-adds of one image's forward pass (convolutions and Linear layers).</summary>
    public virtual long MultiplyAdds => 0;

    /// <summary>U(-bound, bound) for each value: kaiming_uniform(a = sqrt 5) and PyTorch's bias rule both come to bound = 1 / sqrt(fan_in).</summary>
    protected static void Uniform(SplitMix64 random, float* values, int count, double bound)
    {
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }
}
