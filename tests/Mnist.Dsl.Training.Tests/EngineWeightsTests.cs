using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Cli;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Serialization;
using Mnist.Models;
using Xunit;
using static TorchSharp.torch;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// The engine's weights are the module's: the state-dict keys and shapes computed from a declaration are the
/// generated TorchSharp module's for every sample network, and a trainer's state dict loads into the module, which
/// then computes what the trainer computes.
/// </summary>
[Collection(Serial.Name)]
public sealed class EngineWeightsTests
{
    private static readonly NetworkRegistry Networks = NetworkRegistry.Of(typeof(DefaultNet).Assembly);

    public static TheoryData<string> SampleNetworks() => new(Networks.Select(n => n.Name));

    [Theory]
    [MemberData(nameof(SampleNetworks))]
    public void The_state_dict_computed_from_the_declaration_is_the_generated_modules(string name)
    {
        var network = Networks.Find(name);
        using var module = network.CreateModule<nn.Module<Tensor, Tensor>>();
        var expected = module.state_dict().Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}] {kv.Value.dtype}").ToArray();
        var actual = StateDictShapes.Of(network.Summary)
            .Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}] {(e.Kind == StateKind.BatchCounter ? ScalarType.Int64 : ScalarType.Float32)}").ToArray();
        // As sets: TorchSharp lists every parameter before the buffers, PyTorch module by module; loading goes by key.
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("default")]
    [InlineData("small")]
    [InlineData("seed004")]
    public void A_trained_engines_weights_load_into_the_module_which_then_computes_what_the_trainer_computes(string name)
    {
        var network = Networks.Find(name);
        Assert.True(network.HasTrainer, network.NoTrainerReason);
        using var trainer = network.CreateTrainer(new TrainerOptions(16, 2, 7, new Sgd(0.05, momentum: 0.9)));
        var random = new Random(3);
        var images = Enumerable.Range(0, 16 * 784).Select(_ => (float)(random.NextDouble() * 3 - 0.5)).ToArray();
        var labels = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        for (var step = 0; step < 3; step++) trainer.Step(images, labels); // running statistics and the batch count move off their defaults
        trainer.Evaluate(images);
        var engineOutput = trainer.LogProbabilities.ToArray();

        var path = Path.GetTempFileName();
        try
        {
            SafeTensorsFile.Write(path, EngineWeights.StateDict(network, trainer));
            using var module = network.CreateModule<nn.Module<Tensor, Tensor>>();
            module.LoadWeights(path); // checks every key, dtype and shape
            Assert.Equal(3L, module.state_dict()["bn1.num_batches_tracked"].item<long>());
            module.eval();
            using var noGrad = no_grad();
            using var input = tensor(images, new long[] { 16, 1, 28, 28 });
            using var output = module.forward(input);
            var moduleOutput = output.data<float>().ToArray();
            var worst = moduleOutput.Zip(engineOutput, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 1e-3, $"eval-mode log-probabilities differ by up to {worst}");

            // And back: a fresh trainer loaded from the file holds the same state dict.
            using var other = network.CreateTrainer(new TrainerOptions(16, 1, 99, new Sgd(0.05, momentum: 0.9)));
            EngineWeights.Load(network, other, SafeTensorsFile.Read(path, out _).ToDictionary(t => t.Key, t => t.Value), path);
            Assert.Equal(File.ReadAllBytes(path), Written(network, other));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Weights_of_another_shape_are_refused_naming_the_tensor()
    {
        var network = Networks.Find("default");
        using var trainer = network.CreateTrainer(new TrainerOptions(8, 1, 1, new Sgd(0.1)));
        var state = EngineWeights.StateDict(network, trainer).ToDictionary(t => t.Key, t => t.Value);
        state["conv2.weight"] = RawTensor.Float32(new float[24 * 16 * 9], 24, 16, 9);
        var error = Assert.Throws<InvalidDataException>(() => EngineWeights.Load(network, trainer, state, "w.safetensors"));
        Assert.Contains("conv2.weight is F32 [24, 16, 9], not F32 [24, 16, 3, 3]", error.Message);
    }

    private static byte[] Written(RegisteredNetwork network, ITrainer trainer)
    {
        var path = Path.GetTempFileName();
        try
        {
            SafeTensorsFile.Write(path, EngineWeights.StateDict(network, trainer));
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
