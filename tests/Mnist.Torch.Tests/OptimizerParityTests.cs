using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mnist.Torch;
using Mnist.Torch.Modules;
using Mnist.Torch.Optim;
using Mnist.Torch.Serialization;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>
/// Every optimizer variant trains a small conv + linear model exactly as PyTorch does from the same weights
/// on the same batches: the loss of every step and the parameters after every step agree to 1e-5. And an
/// optimizer restored from its state tensors continues exactly where the original was.
/// They run alone: they draw from libtorch's global generator, which seeded tests (dropout parity) need undisturbed.
/// </summary>
[Collection(Serial.Name)]
public class OptimizerParityTests
{
    private const int Steps = 20;
    private const string PyModel = "nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 4))";

    private static nn.Module<Tensor, Tensor> Model() => nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 4));

    public static IEnumerable<object[]> Cases() => new (string pyOptimizer, Func<IEnumerable<Parameter>, Optimizer> optimizer, string pyScheduler, Func<Optimizer, LRScheduler>? scheduler)[]
    {
        ("torch.optim.SGD(params, lr=0.1)", p => optim.SGD(p, lr: 0.1), "", null),
        ("torch.optim.SGD(params, lr=0.05, momentum=0.9)", p => optim.SGD(p, lr: 0.05, momentum: 0.9), "", null),
        ("torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True)", p => optim.SGD(p, lr: 0.05, momentum: 0.9, nesterov: true), "", null),
        ("torch.optim.SGD(params, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)",
            p => optim.SGD(p, lr: 0.05, momentum: 0.8, dampening: 0.3, weight_decay: 0.01), "", null),
        ("torch.optim.SGD(params, lr=0.05, momentum=0.5, weight_decay=0.1, nesterov=True)",
            p => optim.SGD(p, lr: 0.05, momentum: 0.5, weight_decay: 0.1, nesterov: true), "", null),
        ("torch.optim.SGD(params, lr=0.01, maximize=True)", p => optim.SGD(p, lr: 0.01, maximize: true), "", null),
        ("torch.optim.Adam(params, lr=0.01)", p => optim.Adam(p, lr: 0.01), "", null),
        ("torch.optim.Adam(params, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)",
            p => optim.Adam(p, lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.05), "", null),
        ("torch.optim.Adam(params, lr=0.01, amsgrad=True)", p => optim.Adam(p, lr: 0.01, amsgrad: true), "", null),
        ("torch.optim.Adam(params, lr=0.01, weight_decay=0.01, amsgrad=True)", p => optim.Adam(p, lr: 0.01, weight_decay: 0.01, amsgrad: true), "", null),
        ("torch.optim.AdamW(params, lr=0.01)", p => optim.AdamW(p, lr: 0.01), "", null),
        ("torch.optim.AdamW(params, lr=0.01, weight_decay=0.1, amsgrad=True)", p => optim.AdamW(p, lr: 0.01, weight_decay: 0.1, amsgrad: true), "", null),
        // The schedulers change the optimizer's rate and momentum (beta1) between steps: the optimizer must use them.
        ("torch.optim.SGD(params, lr=0.05, momentum=0.9)", p => optim.SGD(p, lr: 0.05, momentum: 0.9),
            "lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=20)", o => optim.lr_scheduler.OneCycleLR(o, 0.2, total_steps: Steps)),
        ("torch.optim.Adam(params, lr=0.01)", p => optim.Adam(p, lr: 0.01),
            "lr_scheduler.OneCycleLR(opt, max_lr=0.02, total_steps=20, three_phase=True, base_momentum=0.7, max_momentum=0.9)",
            o => optim.lr_scheduler.OneCycleLR(o, 0.02, total_steps: Steps, three_phase: true, base_momentum: 0.7, max_momentum: 0.9)),
        ("torch.optim.AdamW(params, lr=0.02)", p => optim.AdamW(p, lr: 0.02), "lr_scheduler.StepLR(opt, 5, gamma=0.5)", o => optim.lr_scheduler.StepLR(o, 5, 0.5)),
    }.Select(c => new object[] { c.pyOptimizer, c.optimizer, c.pyScheduler, c.scheduler! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Losses_and_parameters_after_every_step_equal_pytorch(string pyOptimizer, Func<IEnumerable<Parameter>, Optimizer> makeOptimizer,
        string pyScheduler, Func<Optimizer, LRScheduler>? makeScheduler)
    {
        using var scope = NewDisposeScope();
        var (model, xs, ys) = Setup();
        using var _ = model;
        var inputs = new Dictionary<string, Tensor> { ["x"] = stack(xs), ["y"] = stack(ys) };
        foreach (var (name, value) in model.state_dict()) inputs["state." + name] = value.detach().clone();

        var expected = PyTorch.Run("optimizer_parity.py", inputs, PyModel, pyOptimizer, pyScheduler);

        using var optimizer = makeOptimizer(model.parameters());
        var scheduler = makeScheduler?.Invoke(optimizer);
        var expectedLosses = expected["loss"].data<double>().ToArray();
        var expectedRates = expected["lr"].data<double>().ToArray();
        for (var k = 0; k < Steps; k++)
        {
            Assert.Equal(expectedRates[k], optimizer.ParamGroups[0].LearningRate);
            var loss = Step(model, optimizer, xs[k], ys[k]);
            scheduler?.step();
            Assert.True(Math.Abs(loss - expectedLosses[k]) <= 1e-5 * (1 + Math.Abs(expectedLosses[k])),
                $"{pyOptimizer}: loss of step {k} is {loss} but PyTorch's is {expectedLosses[k]}");
            foreach (var (name, p) in model.named_parameters())
                TensorAssert.Close(expected[$"step{k}.{name}"], p, what: $"{pyOptimizer} {pyScheduler}: {name} after step {k}");
        }
        // A model that did not move would agree with a PyTorch that did not move either: make sure it trained.
        Assert.True(Math.Abs(expectedLosses[^1] - expectedLosses[0]) > 1e-3, $"{pyOptimizer}: the loss did not change ({expectedLosses[0]} → {expectedLosses[^1]})");
    }

    public static IEnumerable<object[]> ResumeCases() => new (string name, Func<IEnumerable<Parameter>, Optimizer> optimizer)[]
    {
        ("SGD momentum", p => optim.SGD(p, lr: 0.05, momentum: 0.9)),
        ("SGD nesterov, weight decay", p => optim.SGD(p, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.01)),
        ("Adam", p => optim.Adam(p, lr: 0.01)),
        ("Adam amsgrad", p => optim.Adam(p, lr: 0.01, amsgrad: true)),
        ("AdamW amsgrad", p => optim.AdamW(p, lr: 0.01, amsgrad: true)),
    }.Select(c => new object[] { c.name, c.optimizer });

    [Theory]
    [MemberData(nameof(ResumeCases))]
    public void A_fresh_optimizer_loaded_from_state_tensors_continues_exactly(string name, Func<IEnumerable<Parameter>, Optimizer> makeOptimizer)
    {
        using var scope = NewDisposeScope();
        const int half = Steps / 2;
        var folder = Directory.CreateTempSubdirectory("mnist-optimizer-");
        try
        {
            // The reference: twenty steps in one go.
            var (model, xs, ys) = Setup();
            var initial = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            Dictionary<string, Tensor> reference;
            using (model)
            using (var optimizer = makeOptimizer(model.parameters()))
            {
                for (var k = 0; k < Steps; k++) Step(model, optimizer, xs[k], ys[k]);
                reference = model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.detach().clone());
            }

            // Ten steps, a checkpoint of the weights and of the optimizer state on disk, then a new process's worth
            // of objects (fresh model, fresh optimizer) that loads both and takes the other ten.
            var first = Model();
            first.load_state_dict(initial);
            using (first)
            using (var optimizer = makeOptimizer(first.parameters()))
            {
                for (var k = 0; k < half; k++) Step(first, optimizer, xs[k], ys[k]);
                first.save(Path.Combine(folder.FullName, "model.safetensors"));
                var state = optimizer.state_tensors();
                Assert.NotEmpty(state);
                SafeTensors.Save(state, Path.Combine(folder.FullName, "optimizer.safetensors"));
            }

            using var resumed = Model();
            resumed.load(Path.Combine(folder.FullName, "model.safetensors"));
            using var fresh = makeOptimizer(resumed.parameters());
            fresh.load_state_tensors(SafeTensors.Load(Path.Combine(folder.FullName, "optimizer.safetensors")));
            for (var k = half; k < Steps; k++) Step(resumed, fresh, xs[k], ys[k]);

            foreach (var (key, p) in resumed.named_parameters())
                TensorAssert.Close(reference[key], p, tolerance: 0, what: $"{name}: {key} after resuming");

            // Without the optimizer state the continuation differs (so the comparison above can fail).
            using var forgetful = Model();
            forgetful.load(Path.Combine(folder.FullName, "model.safetensors"));
            using (var blank = makeOptimizer(forgetful.parameters()))
                for (var k = half; k < Steps; k++) Step(forgetful, blank, xs[k], ys[k]);
            var differs = forgetful.named_parameters().Any(kv => kv.parameter.sub(reference[kv.name]).abs().max().item<double>() > 1e-6);
            Assert.True(differs, $"{name}: the state tensors make no difference");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The same initial weights and batches every time (seeded), as PyTorch receives them.</summary>
    private static (nn.Module<Tensor, Tensor> model, Tensor[] xs, Tensor[] ys) Setup()
    {
        manual_seed(11);
        var model = Model();
        var xs = Enumerable.Range(0, Steps).Select(_ => randn(new long[] { 6, 1, 6, 6 })).ToArray();
        var ys = Enumerable.Range(0, Steps).Select(_ => randint(4, new long[] { 6 })).ToArray();
        return (model, xs, ys);
    }

    private static double Step(nn.Module<Tensor, Tensor> model, Optimizer optimizer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss.item<double>();
    }
}
