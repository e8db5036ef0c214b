using Mnist.Dsl.Training.Checkpoints;
using static TorchSharp.torch;

namespace Mnist.Dsl.Torch;

/// <summary>
/// A run on TorchSharp: the network's module (channels-last), TorchSharp's SGD or Adam and its schedule, rotation on
/// tensors, and a checkpoint that holds libtorch's generator state so that shuffling, dropout and augmentation draw
/// what they would have. The epoch's last partial batch is trained, as PyTorch's DataLoader does.
/// </summary>
internal sealed class TorchRun : ITrainingRun
{
    private readonly string _network;
    private readonly MnistDataset _train, _test;
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;
    private readonly DisposeScope _scope;
    private readonly Tensor _testImages, _testLabels;
    private readonly BatchIterator _batches;
    private readonly TorchSchedule _schedule;
    private readonly Augmentation? _augmentation;
    private IEnumerator<(Tensor Images, Tensor Labels)>? _epoch;

    public TorchRun(TrainSettings settings, RegisteredNetwork entry, string dataFolder)
    {
        _network = entry.Name;
        set_num_threads(settings.Threads);
        manual_seed(settings.Seed);
        _train = MnistDataset.Load(dataFolder, train: true);
        _test = MnistDataset.Load(dataFolder, train: false);
        // The model and optimizer live for the whole run, outside every dispose scope (their tensors are theirs).
        _model = entry.Create();
        // NHWC convolutions: a fifth less CPU per step on libtorch 2.10 (see ChannelsLast); before the optimizer
        // is made, because it keeps the parameters it was given.
        ChannelsLast.Apply(_model);
        _optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(_model.parameters(), settings.LearningRate),
            OptimizerKind.Sgd => optim.SGD(_model.parameters(), settings.LearningRate, momentum: TrainSettings.SgdMomentum),
        };
        _scope = NewDisposeScope();
        var (trainImages, trainLabels) = TorchBackend.Limit(_train, settings.TrainLimit);
        (_testImages, _testLabels) = TorchBackend.Limit(_test, settings.TestLimit);
        _batches = new BatchIterator(trainImages, trainLabels, settings.BatchSize, shuffle: true);
        _schedule = TorchSchedule.Create(settings, _optimizer, (int)_batches.Count);
        _augmentation = settings.Augment ? new Augmentation(settings.RotationDegrees) : null;
    }

    public int BatchesPerEpoch => (int)_batches.Count;

    public long TestCount => _testLabels.shape[0];

    public double LearningRate => _optimizer.ParamGroups.First().LearningRate;

    public string? Estimate(int epochs) => null;

    public bool ResumesInsideEpochs => false;

    public void BeginEpoch(int number, int skip)
    {
        if (skip != 0) throw new ArgumentOutOfRangeException(nameof(skip), skip, "a torch run resumes at whole epochs only");
        _model.train();
        _epoch?.Dispose();
        _epoch = _batches.GetEnumerator();
    }

    public bool TrainBatch(out BatchResult batch)
    {
        if (_epoch is null) throw new InvalidOperationException("BeginEpoch comes before TrainBatch.");
        if (!_epoch.MoveNext())
        {
            batch = default;
            return false;
        }
        var (images, labels) = _epoch.Current;
        using var batchScope = NewDisposeScope();
        var input = _augmentation is null ? images : _augmentation.Apply(images);
        _optimizer.zero_grad();
        var output = _model.forward(input);
        var loss = nn.functional.nll_loss(output, labels);
        loss.backward();
        _optimizer.step();
        var count = (int)labels.shape[0];
        batch = new BatchResult(loss.item<float>(), output.argmax(1).eq(labels).sum().item<long>(), count);
        return true;
    }

    public void AfterBatch() => _schedule.AfterBatch();

    public void AfterEpoch(double testLoss) => _schedule.AfterEpoch(testLoss);

    public (double Loss, long Correct) Evaluate() => TorchBackend.Evaluate(_model, _testImages, _testLabels);

    public void SaveCheckpoint(string path, int epoch, MidEpoch? position = null)
    {
        if (position is not null) throw new ArgumentException("a torch run keeps whole epochs only", nameof(position));
        TorchCheckpoint.Save(path, _network, epoch, _model, _optimizer);
    }

    public (string Tensor, long Count)? FirstNonFinite() => TorchFiniteState.FirstNonFinite(_model);

    public int LoadCheckpoint(string path) => TorchCheckpoint.Load(path, _network, _model, _optimizer);

    public void SaveWeights(params string[] paths)
    {
        foreach (var path in paths) _model.SaveWeights(path);
    }

    public void Dispose()
    {
        _epoch?.Dispose();
        _scope.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
        _test.Dispose();
        _train.Dispose();
    }
}
