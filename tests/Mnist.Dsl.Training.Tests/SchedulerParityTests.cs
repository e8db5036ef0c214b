using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TorchSharp;
using Mnist.Torch.Modules;
using Mnist.Torch.Optim;
using Xunit;
using static TorchSharp.torch;
using Anneal = Mnist.Torch.Optim.OneCycleLR.AnnealStrategy;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// Every scheduler gives PyTorch 1.13's learning rates and momenta, bit for bit, step after step; bad
/// arguments fail at the same step with PyTorch's message.
/// </summary>
public class SchedulerParityTests
{
    private const int Steps = 50;

    private static readonly Func<IEnumerable<Parameter>, Optimizer> SgdMomentum = p => optim.SGD(p, lr: 0.01, momentum: 0.9);
    private const string PySgdMomentum = "torch.optim.SGD(params, lr=0.01, momentum=0.9)";
    private static readonly Func<IEnumerable<Parameter>, Optimizer> Adam = p => optim.Adam(p, lr: 3e-3);
    private const string PyAdam = "torch.optim.Adam(params, lr=3e-3)";

    /// <summary>A validation loss that falls, plateaus (with changes under the 1e-4 relative threshold), falls again and wobbles.</summary>
    private static readonly double[] Loss = Enumerable.Range(0, Steps).Select(i => i switch
    {
        < 8 => 1.0 - 0.05 * i,
        < 20 => 0.65 - 0.00002 * (i % 3),
        < 26 => 0.6 - 0.03 * (i - 20),
        < 40 => 0.45 + 0.01 * Math.Sin(i),
        _ => 0.44 - 0.001 * (i - 40),
    }).ToArray();

    /// <summary>An accuracy (to maximize) that climbs in steps of various sizes and stalls.</summary>
    private static readonly double[] Accuracy = Enumerable.Range(0, Steps).Select(i => Math.Min(0.99, 0.5 + 0.02 * (i / 4) + 0.004 * (i % 4))).ToArray();

    public static IEnumerable<object[]> Cases() => new (string name, string pyOptimizer, Func<IEnumerable<Parameter>, Optimizer> optimizer, string pyScheduler, Func<Optimizer, LRScheduler[]> scheduler, double[]? metrics, int steps)[]
    {
        ("StepLR", PySgdMomentum, SgdMomentum, "lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)", o => One(optim.lr_scheduler.StepLR(o, 7, 0.5)), null, Steps),
        ("StepLR default gamma, Adam", PyAdam, Adam, "lr_scheduler.StepLR(opt, 10)", o => One(optim.lr_scheduler.StepLR(o, 10)), null, Steps),
        ("MultiStepLR repeated milestone", PySgdMomentum, SgdMomentum, "lr_scheduler.MultiStepLR(opt, [5, 12, 12, 30], gamma=0.3)",
            o => One(optim.lr_scheduler.MultiStepLR(o, new[] { 5, 12, 12, 30 }, 0.3)), null, Steps),
        ("MultiStepLR unsorted", PyAdam, Adam, "lr_scheduler.MultiStepLR(opt, [40, 3, 20])", o => One(optim.lr_scheduler.MultiStepLR(o, new[] { 40, 3, 20 })), null, Steps),
        ("StepLR chained with MultiStepLR", PySgdMomentum, SgdMomentum, "[lr_scheduler.StepLR(opt, 6, gamma=0.7), lr_scheduler.MultiStepLR(opt, [9, 18], gamma=0.2)]",
            o => new LRScheduler[] { optim.lr_scheduler.StepLR(o, 6, 0.7), optim.lr_scheduler.MultiStepLR(o, new[] { 9, 18 }, 0.2) }, null, Steps),

        ("OneCycleLR cos, SGD", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=50)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 50)), null, Steps),
        ("OneCycleLR linear, SGD", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=50, pct_start=0.25, anneal_strategy='linear')",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 50, pct_start: 0.25, anneal_strategy: Anneal.Linear)), null, Steps),
        ("OneCycleLR cos, Adam", PyAdam, Adam, "lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=50)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.01, total_steps: 50)), null, Steps),
        ("OneCycleLR linear, Adam, epochs", PyAdam, Adam,
            "lr_scheduler.OneCycleLR(opt, max_lr=0.02, epochs=5, steps_per_epoch=10, anneal_strategy='linear', base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.02, epochs: 5, steps_per_epoch: 10, anneal_strategy: Anneal.Linear, base_momentum: 0.8, max_momentum: 0.9, div_factor: 10, final_div_factor: 100)), null, Steps),
        ("OneCycleLR three phases cos, SGD", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=50, three_phase=True)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 50, three_phase: true)), null, Steps),
        ("OneCycleLR three phases linear, Adam", PyAdam, Adam, "lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=50, pct_start=0.4, anneal_strategy='linear', three_phase=True)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.01, total_steps: 50, pct_start: 0.4, anneal_strategy: Anneal.Linear, three_phase: true)), null, Steps),
        ("OneCycleLR without momentum cycling", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=50, cycle_momentum=False)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 50, cycle_momentum: false)), null, Steps),
        ("OneCycleLR stepped past total_steps", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=20)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 20)), null, 25),
        ("OneCycleLR without total_steps", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1)", o => One(optim.lr_scheduler.OneCycleLR(o, 0.1)), null, 5),
        ("OneCycleLR total_steps 0", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=0)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 0)), null, 5),
        ("OneCycleLR epochs 0", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=0, steps_per_epoch=10)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, epochs: 0, steps_per_epoch: 10)), null, 5),
        ("OneCycleLR steps_per_epoch 0", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, epochs=3, steps_per_epoch=0)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, epochs: 3, steps_per_epoch: 0)), null, 5),
        ("OneCycleLR pct_start 1.5", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 10, pct_start: 1.5)), null, 5),
        ("OneCycleLR empty first phase", PySgdMomentum, SgdMomentum, "lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=0.1)",
            o => One(optim.lr_scheduler.OneCycleLR(o, 0.1, total_steps: 10, pct_start: 0.1)), null, 5),

        ("ReduceLROnPlateau min rel, cooldown", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=3, cooldown=2)",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, factor: 0.5, patience: 3, cooldown: 2)), Loss, Steps),
        ("ReduceLROnPlateau defaults", PyAdam, Adam, "lr_scheduler.ReduceLROnPlateau(opt)", o => One(optim.lr_scheduler.ReduceLROnPlateau(o)), Loss, Steps),
        ("ReduceLROnPlateau min abs, patience 0", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, threshold=0.01, threshold_mode='abs', patience=0, factor=0.8)",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, threshold: 0.01, threshold_mode: "abs", patience: 0, factor: 0.8)), Loss, Steps),
        ("ReduceLROnPlateau max rel", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, mode='max', threshold=0.01, patience=2, factor=0.3)",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, mode: "max", threshold: 0.01, patience: 2, factor: 0.3)), Accuracy, Steps),
        ("ReduceLROnPlateau max abs, min_lr", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, mode='max', threshold=0.005, threshold_mode='abs', patience=1, min_lr=2e-4)",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, mode: "max", threshold: 0.005, threshold_mode: "abs", patience: 1, min_lr: 2e-4)), Accuracy, Steps),
        ("ReduceLROnPlateau eps skips small reductions", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, eps=0.003)",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, factor: 0.5, patience: 1, eps: 0.003)), Loss, Steps),
        ("ReduceLROnPlateau factor 1", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)", o => One(optim.lr_scheduler.ReduceLROnPlateau(o, factor: 1.0)), Loss, 5),
        ("ReduceLROnPlateau unknown mode", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, mode='mean')", o => One(optim.lr_scheduler.ReduceLROnPlateau(o, mode: "mean")), Loss, 5),
        ("ReduceLROnPlateau unknown threshold mode", PySgdMomentum, SgdMomentum, "lr_scheduler.ReduceLROnPlateau(opt, threshold_mode='relative')",
            o => One(optim.lr_scheduler.ReduceLROnPlateau(o, threshold_mode: "relative")), Loss, 5),
    }.Select(c => new object[] { c.name, c.pyOptimizer, c.optimizer, c.pyScheduler, c.scheduler, c.metrics!, c.steps });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Learning_rates_and_momenta_equal_pytorch(string name, string pyOptimizer, Func<IEnumerable<Parameter>, Optimizer> makeOptimizer, string pyScheduler,
        Func<Optimizer, LRScheduler[]> makeSchedulers, double[]? metrics, int steps)
    {
        using var scope = NewDisposeScope();
        var inputs = new Dictionary<string, Tensor>();
        if (metrics is not null) inputs["metrics"] = tensor(metrics, new long[] { metrics.Length });
        var expected = PyTorch.Run("scheduler_parity.py", inputs, pyOptimizer, pyScheduler, steps.ToString());

        var (rates, momenta, error, errorAt) = RunHere(makeOptimizer, makeSchedulers, metrics, steps);

        if (expected.TryGetValue("error", out var pyError))
        {
            var message = Encoding.UTF8.GetString(pyError.data<byte>().ToArray());
            Assert.True(error is not null, $"{name}: PyTorch raised \"{message}\" but this did not throw");
            Assert.IsType<ArgumentException>(error);
            Assert.Equal(expected["error_at"].item<long>(), errorAt);
            // PyTorch's own messages are reproduced word for word; a bare ZeroDivisionError gets an explanation.
            if (message == "float division by zero") Assert.Contains(message, error!.Message);
            else Assert.Equal(message, error!.Message);
        }
        else Assert.True(error is null, $"{name}: threw {error} but PyTorch did not");

        Assert.Equal(expected["lr"].data<double>().ToArray(), rates);
        Assert.Equal(expected["momentum"].data<double>().ToArray(), momenta);
        if (error is null) Assert.Equal(steps + 1, rates.Count);
    }

    /// <summary>The same loop as scheduler_parity.py: record after construction and after every step; stop at the first error.</summary>
    private static (List<double> rates, List<double> momenta, Exception? error, int errorAt) RunHere(
        Func<IEnumerable<Parameter>, Optimizer> makeOptimizer, Func<Optimizer, LRScheduler[]> makeSchedulers, double[]? metrics, int steps)
    {
        using var parameter = Parameter();
        using var optimizer = makeOptimizer(new[] { parameter });
        var (rates, momenta) = (new List<double>(), new List<double>());
        var step = -1;
        try
        {
            var schedulers = makeSchedulers(optimizer);
            Record();
            for (step = 0; step < steps; step++)
            {
                optimizer.step();
                foreach (var s in schedulers)
                {
                    if (metrics is null) s.step();
                    else s.step(metrics[step]);
                }
                Record();
            }
            return (rates, momenta, null, -1);
        }
        catch (ArgumentException e)
        {
            return (rates, momenta, e, step);
        }

        void Record()
        {
            rates.Add(optimizer.ParamGroups[0].LearningRate);
            momenta.Add(optimizer.ParamGroups[0].Momentum);
        }
    }

    private static LRScheduler[] One(LRScheduler scheduler) => new[] { scheduler };

    /// <summary>
    /// The schedulers need an optimizer, not a model: a parameter of zeros (no layer, so that these tests do
    /// not draw from libtorch's global generator, which seeded tests running in parallel rely on).
    /// </summary>
    private static Parameter Parameter()
    {
        using var data = zeros(new long[] { 1 });
        return new Parameter(data);
    }

    [Fact]
    public void Last_epoch_counts_steps_and_get_last_lr_reports_the_rates_set()
    {
        using var parameter = Parameter();
        using var optimizer = optim.SGD(new[] { parameter }, lr: 0.5);
        var scheduler = optim.lr_scheduler.StepLR(optimizer, 2, gamma: 0.5);
        Assert.Equal(0, scheduler.last_epoch);
        Assert.Equal(new[] { 0.5 }, scheduler.get_last_lr());
        Assert.Equal(new[] { 0.5 }, scheduler.base_lrs);
        for (var i = 0; i < 5; i++) scheduler.step();
        Assert.Equal(5, scheduler.last_epoch);
        Assert.Equal(new[] { 0.125 }, scheduler.get_last_lr());
        Assert.Equal(0.125, optimizer.ParamGroups[0].LearningRate);
    }

    [Fact]
    public void StepLR_is_chainable_keeping_a_rate_changed_between_steps()
    {
        using var parameter = Parameter();
        using var optimizer = optim.SGD(new[] { parameter }, lr: 0.5);
        var scheduler = optim.lr_scheduler.StepLR(optimizer, 3, gamma: 0.1);
        scheduler.step();
        optimizer.ParamGroups[0].LearningRate = 2.0;
        scheduler.step();
        Assert.Equal(2.0, optimizer.ParamGroups[0].LearningRate);
        scheduler.step(); // epoch 3: a decay of the current rate, not of the initial one
        Assert.Equal(2.0 * 0.1, optimizer.ParamGroups[0].LearningRate);
    }

    [Fact]
    public void OneCycleLR_sets_the_initial_rate_and_the_cycle_momentum_on_the_optimizer()
    {
        using var parameter = Parameter();
        using var optimizer = optim.Adam(new[] { parameter }, lr: 1e-3);
        var scheduler = optim.lr_scheduler.OneCycleLR(optimizer, 0.05, total_steps: 10, div_factor: 5);
        Assert.Equal(0.01, optimizer.ParamGroups[0].InitialLearningRate);
        Assert.Equal(new[] { 0.01 }, scheduler.base_lrs);
        Assert.Equal(0.95, optimizer.ParamGroups[0].Momentum);
        Assert.Equal(10, scheduler.total_steps);
    }

    [Fact]
    public void ReduceLROnPlateau_refuses_a_step_without_the_metric()
    {
        using var parameter = Parameter();
        using var optimizer = optim.SGD(new[] { parameter }, lr: 0.1);
        LRScheduler scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.step());
        Assert.Contains("step(metric)", e.Message);
        Assert.Equal(0, scheduler.last_epoch);
        scheduler.step(1.0);
        Assert.Equal(1, scheduler.last_epoch);
        Assert.Equal(new[] { 0.1 }, scheduler.get_last_lr());
    }
}
