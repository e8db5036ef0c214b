using Mnist.Dsl.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Mnist.Dsl.Torch;

/// <summary>
/// A run on TorchSharp: the network's module (channels-last), TorchSharp's SGD or Adam and its schedule, rotation on
/// tensors, and a checkpoint that holds libtorch's generator state so that shuffling, dropout and augmentation draw
/// what they would have. The epoch's last partial batch is trained, as PyTorch's DataLoader does.
/// </summary>
internal sealed class TorchRun : ITrainingRun
{
    private readonly string network;
    private readonly MnistDataset train, test;
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly TorchSharp.Modules.OptimizerHelper optimizer;
    private readonly DisposeScope scope;
    private readonly Tensor testImages, testLabels;
    private readonly BatchIterator batches;
    private readonly TorchSchedule schedule;
    private readonly Augmentation? augmentation;
    private IEnumerator<(Tensor Images, Tensor Labels)>? epoch;

    public TorchRun(TrainSettings settings, RegisteredNetwork entry, string dataFolder)
    {
        network = entry.Name;
        set_num_threads(settings.Threads);
        manual_seed(settings.Seed);
        train = MnistDataset.Load(dataFolder, train: true);
        test = MnistDataset.Load(dataFolder, train: false);
        // The model and optimizer live for the whole run, outside every dispose scope (their tensors are theirs).
        model = entry.Create();
        // NHWC convolutions: a fifth less CPU per step on libtorch 2.10 (see ChannelsLast); before the optimizer
        // is made, because it keeps the parameters it was given.
        ChannelsLast.Apply(model);
        optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(model.parameters(), settings.LearningRate),
            OptimizerKind.Sgd => optim.SGD(model.parameters(), settings.LearningRate, momentum: TrainSettings.SgdMomentum),
        };
        scope = NewDisposeScope();
        var (trainImages, trainLabels) = TorchBackend.Limit(train, settings.TrainLimit);
        (testImages, testLabels) = TorchBackend.Limit(test, settings.TestLimit);
        batches = new BatchIterator(trainImages, trainLabels, settings.BatchSize, shuffle: true);
        schedule = TorchSchedule.Create(settings, optimizer, (int)batches.Count);
        augmentation = settings.Augment ? new Augmentation(settings.RotationDegrees) : null;
    }

    public int BatchesPerEpoch => (int)batches.Count;

    public long TestCount => testLabels.shape[0];

    public double LearningRate => optimizer.ParamGroups.First().LearningRate;

    public string? Estimate(int epochs) => null;

    public bool ResumesInsideEpochs => false;

    public void BeginEpoch(int number, int skip)
    {
        if (skip != 0) throw new ArgumentOutOfRangeException(nameof(skip), skip, "a torch run resumes at whole epochs only");
        model.train();
        epoch?.Dispose();
        epoch = batches.GetEnumerator();
    }

    public bool TrainBatch(out BatchResult batch)
    {
        if (epoch is null) throw new InvalidOperationException("BeginEpoch comes before TrainBatch.");
        if (!epoch.MoveNext())
        {
            batch = default;
            return false;
        }
        var (images, labels) = epoch.Current;
        using var batchScope = NewDisposeScope();
        var input = augmentation is null ? images : augmentation.Apply(images);
        optimizer.zero_grad();
        var output = model.forward(input);
        var loss = nn.functional.nll_loss(output, labels);
        loss.backward();
        optimizer.step();
        var count = (int)labels.shape[0];
        batch = new BatchResult(loss.item<float>(), output.argmax(1).eq(labels).sum().item<long>(), count);
        return true;
    }

    public void AfterBatch() => schedule.AfterBatch();

    public void AfterEpoch(double testLoss) => schedule.AfterEpoch(testLoss);

    public (double Loss, long Correct) Evaluate() => TorchBackend.Evaluate(model, testImages, testLabels);

    public void SaveCheckpoint(string path, int epoch, MidEpoch? position = null)
    {
        if (position is not null) throw new ArgumentException("a torch run keeps whole epochs only", nameof(position));
        TorchCheckpoint.Save(path, network, epoch, model, optimizer);
    }

    public (string Tensor, long Count)? FirstNonFinite() => TorchFiniteState.FirstNonFinite(model);

    public int LoadCheckpoint(string path) => TorchCheckpoint.Load(path, network, model, optimizer);

    public void SaveWeights(params string[] paths)
    {
        foreach (var path in paths) model.SaveWeights(path);
    }

    public void Dispose()
    {
        epoch?.Dispose();
        scope.Dispose();
        optimizer.Dispose();
        model.Dispose();
        test.Dispose();
        train.Dispose();
    }
}
