using Mnist.Dsl.Analysis;
using static TorchSharp.torch;

namespace Mnist.Dsl.Torch;

/// <summary>
/// The trainer's TorchSharp backend (--engine torch): the network's module on libtorch, TorchSharp's SGD or Adam and
/// its schedules. The trainer library finds it by name when this package is referenced (it cannot reference it: this
/// package depends on that one). Loading this type loads no native library; starting a run or an evaluation does.
/// </summary>
internal sealed class TorchBackend : ITrainingBackend, IModuleFactory
{
    private const int TestBatchSize = 1000;

    public ITrainingRun Start(TrainSettings settings, RegisteredNetwork network, string dataFolder)
    {
        if (settings.Ema > 0)
            throw new UserError("--ema averages the weights on the generated engine only; drop --ema, or --engine torch.");
        Prepare();
        return new TorchRun(settings, network, dataFolder);
    }

    public (double Loss, long Correct, long Count) Evaluate(RegisteredNetwork network, IReadOnlyList<RegisteredNetwork> known, string weights,
        string dataFolder,
        int threads, int limit)
    {
        Prepare();
        set_num_threads(threads);
        using var model = network.Create();
        model.LoadWeights(weights, network, known); // names the network a file of another one fits
        ChannelsLast.Apply(model);
        using var test = MnistDataset.Load(dataFolder, train: false);
        using var scope = NewDisposeScope();
        var (images, labels) = Limit(test, limit);
        var (loss, correct) = Evaluate(model, images, labels);
        return (loss, correct, labels.shape[0]);
    }

    public object CreateModule(NetworkDefinition definition) => new DefinedModule(definition);

    /// <summary>
    /// Before libtorch allocates anything: keep its freed buffers in the heap (see MallocTuning); then load it, so that a
    /// runtime that cannot load is one line naming what is missing.
    /// </summary>
    private static void Prepare()
    {
        MallocTuning.Apply();
        try
        {
            NativeRuntime.EnsureLoaded();
        }
        catch (NativeRuntimeException e)
        {
            throw new UserError(e.Message);
        }
    }

    /// <summary>Average NLL loss and correct count over images and labels, in eval mode without gradients.</summary>
    public static (double Loss, long Correct) Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        foreach (var (x, y) in new BatchIterator(images, labels, TestBatchSize, shuffle: false))
        {
            using var scope = NewDisposeScope();
            var output = model.forward(x);
            lossSum += nn.functional.nll_loss(output, y, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(y).sum().item<long>();
        }
        return (lossSum / labels.shape[0], correct);
    }

    /// <summary>The first <paramref name="limit"/> samples (all when 0): quick runs and tests on a subset of real MNIST.</summary>
    public static (Tensor Images, Tensor Labels) Limit(MnistDataset data, int limit) =>
        limit <= 0 || limit >= data.Count ? (data.Images, data.Labels) : (data.Images.narrow(0, 0, limit), data.Labels.narrow(0, 0, limit));
}
