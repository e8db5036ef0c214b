using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mnist.Dsl.Training.Data;
using Mnist.Dsl.Training.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using Mnist.Tests.Shared;

namespace Mnist.Models.Tests;

/// <summary>
/// Every sample network run once by us (TorchSharp, libtorch 2.10) and once by PyTorch 1.13.1 (one python
/// process for all: importing torch is most of its time) from the same weights and the same 16 MNIST test
/// images. The weights travel both ways as weights files (SaveWeights here, PyTorch's state dict after an SGD
/// step back, read by LoadWeights). The tests compare the two sides.
/// </summary>
internal sealed class ParityRun
{
    public const int BatchSize = 16;

    /// <summary>libtorch's seed before each model is made: its initial weights and the BatchNorm values below.</summary>
    public const long Seed = 5;

    /// <summary>What each model's BatchNorm layers count as batches already seen before the step (then one more).</summary>
    public const long BatchesTrackedBefore = 5;

    public required IReadOnlyDictionary<string, NetworkRun> Ours { get; init; }
    public required IReadOnlyDictionary<string, NetworkRun> PyTorch { get; init; }

    /// <summary>The weights each model started from (state-dict key to values), as sent to PyTorch.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, TensorValues>> InitialState { get; init; }

    private static readonly Lazy<ParityRun> Shared = new(Compute);

    public static ParityRun Value => Shared.Value;

    private static ParityRun Compute()
    {
        // One thread, as model_parity.py runs PyTorch: a reduction split over threads sums in another order.
        torch.set_num_threads(1);
        using var scope = torch.NewDisposeScope();
        var (images, labels) = FirstTestImages();
        var ours = new Dictionary<string, NetworkRun>();
        var initial = new Dictionary<string, IReadOnlyDictionary<string, TensorValues>>();
        // The weights go to PyTorch the way a user's would: files written by SaveWeights, one a network; PyTorch
        // writes its weights after one SGD step back into the same folder, and LoadWeights reads them here.
        var weights = Directory.CreateTempSubdirectory("mnist-parity-weights-");
        try
        {
            foreach (var (name, create) in SampleModels.Create)
            {
                torch.manual_seed(Seed);
                using var model = create();
                GiveBatchNormNonTrivialState(model);
                initial[name] = model.state_dict().ToDictionary(kv => kv.Key, kv => TensorValues.Of(kv.Value));
                model.SaveWeights(Path.Combine(weights.FullName, name + ".safetensors"));
                ours[name] = Run(model, images, labels);
            }

            var output = Mnist.Tests.Shared.PyTorch.Run("model_parity.py", new Dictionary<string, torch.Tensor> { ["input"] = images, ["labels"] = labels }, weights.FullName);
            var values = output.ToDictionary(kv => kv.Key, kv => TensorValues.Of(kv.Value));
            foreach (var tensor in output.Values) tensor.Dispose();

            foreach (var (name, create) in SampleModels.Create)
                ours[name] = ours[name] with { SteppedLogits = EvalLogitsWithWeights(create, Path.Combine(weights.FullName, name + ".pytorch.safetensors"), images) };
            return new ParityRun
            {
                Ours = ours,
                PyTorch = SampleModels.Create.Keys.ToDictionary(name => name, name => NetworkRun.FromPyTorch(name, values)),
                InitialState = initial,
            };
        }
        finally
        {
            weights.Delete(recursive: true);
        }
    }

    /// <summary>A fresh model given the weights PyTorch wrote (LoadWeights), run in eval mode.</summary>
    private static TensorValues EvalLogitsWithWeights(Func<torch.nn.Module<torch.Tensor, torch.Tensor>> create, string path, torch.Tensor images)
    {
        using var model = create();
        model.LoadWeights(path);
        model.eval();
        using var noGrad = torch.no_grad();
        return TensorValues.Of(model.forward(images));
    }

    /// <summary>The first images of the MNIST test set, normalised as the trainer does, and their digits.</summary>
    private static (torch.Tensor Images, torch.Tensor Labels) FirstTestImages()
    {
        using var test = MnistDataset.Load(MnistDataset.DefaultFolder(), train: false);
        return (test.Images.narrow(0, 0, BatchSize).clone(), test.Labels.narrow(0, 0, BatchSize).clone());
    }

    /// <summary>
    /// A fresh BatchNorm is the identity in eval mode (mean 0, variance 1, weight 1, bias 0), which would let
    /// a model that ignored its running statistics or affine parameters pass. These values are far from that.
    /// </summary>
    private static void GiveBatchNormNonTrivialState(torch.nn.Module model)
    {
        using var noGrad = torch.no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not NormBase bn) continue;
            bn.weight!.uniform_(0.5, 1.5);
            bn.bias!.uniform_(-0.5, 0.5);
            bn.running_mean!.uniform_(-0.5, 0.5);
            bn.running_var!.uniform_(0.5, 2.0);
            bn.num_batches_tracked!.fill_(BatchesTrackedBefore);
        }
    }

    private static NetworkRun Run(torch.nn.Module<torch.Tensor, torch.Tensor> model, torch.Tensor images, torch.Tensor labels)
    {
        model.eval();
        TensorValues logits;
        using (torch.no_grad()) logits = TensorValues.Of(model.forward(images));

        // Training mode, so BatchNorm normalises with the batch's statistics and updates its running ones, but
        // with every dropout at p = 0, so that no random mask makes the two sides differ.
        model.train();
        foreach (var (_, module) in model.named_modules())
            if (module is Dropout dropout) dropout.p = 0;
        var output = model.forward(images);
        var loss = torch.nn.functional.nll_loss(output, labels);
        loss.backward();

        return new NetworkRun(
            logits,
            null,
            TensorValues.Of(output),
            TensorValues.Of(loss.reshape(1)),
            model.named_parameters().ToDictionary(p => p.name, p => TensorValues.Of(p.parameter.grad ?? throw new InvalidOperationException($"{model.GetName()}: {p.name} has no gradient after backward()"))),
            model.named_buffers().ToDictionary(b => b.name, b => TensorValues.Of(b.buffer)));
    }
}
