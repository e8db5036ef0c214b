namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// The end of every composed network: LogSoftmax over the classes and mean NLL loss, forward and backward at once
/// (dL/dx = (softmax(x) - onehot) / batch). A network that ends in LogSoftmax gets LogSoftmax + NLL; one that ends in
/// logits gets cross-entropy, which is the same computation. Its forward writes the input gradient, so the backward
/// pass starts in the same chunk loop; it has no output of its own besides the log-probabilities.
/// </summary>
internal sealed unsafe class LossUnit : TrainUnit
{
    private readonly int* _labels;
    private readonly double[] _chunkLoss;
    private readonly int _batch;

    public float* LogProbabilities { get; }

    public LossUnit(int classes, int batch, int* labels, double[] chunkLoss, NativeArena arena)
    {
        InputSize = OutputSize = classes;
        _labels = labels;
        _chunkLoss = chunkLoss;
        _batch = batch;
        LogProbabilities = arena.Floats((long)batch * classes);
        Output = LogProbabilities;
    }

    public override void Forward(int phase, in ChunkWork work)
    {
        int classes = InputSize;
        double loss = 0;
        for (int i = work.From; i < work.To; i++)
            loss += LossKernels.LogSoftmaxNll(Input + (long)i * classes, classes, _labels[i], _batch, LogProbabilities + (long)i * classes,
                InputGradient + (long)i * classes);
        _chunkLoss[work.Chunk] = loss;
    }

    public override void Backward(int phase, in ChunkWork work) { }

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
            LossKernels.LogSoftmax(Input + (long)i * InputSize, InputSize, LogProbabilities + (long)i * InputSize);
    }
}
