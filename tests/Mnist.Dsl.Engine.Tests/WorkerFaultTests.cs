using System;
using System.Threading.Tasks;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Parallel;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// An exception in any worker of a step reaches the caller as itself, with the worker's stack, and the other workers
/// are released from the barrier they wait in (before the fix they spun there forever and the step never returned).
/// The fault is injected on one chosen thread in each phase of a step: a forward chunk, a forward barrier's finishing
/// call, a backward barrier's finishing call and the reduce-and-update after the last barrier. A hang must fail the
/// test, not block the run: the step runs on a task that must end within a generous bound.
/// </summary>
public sealed class WorkerFaultTests
{
    private const int Batch = 16, Pixels = 28 * 28;
    private static readonly TimeSpan HangBound = TimeSpan.FromSeconds(30);
    private static readonly float[] Images = TestData.Normal(2001, Batch * Pixels);
    private static readonly int[] Labels = TestData.Labels(2002, Batch, 10);

    public enum Phase { ForwardChunk, ForwardBarrier, BackwardBarrier, Reduce }

    [Theory]
    [InlineData(Phase.ForwardChunk, 1, 0)]
    [InlineData(Phase.ForwardBarrier, 1, 0)]
    [InlineData(Phase.BackwardBarrier, 1, 0)]
    [InlineData(Phase.Reduce, 1, 0)]
    [InlineData(Phase.ForwardChunk, 2, -1)] // whichever thread takes the last chunk
    [InlineData(Phase.ForwardBarrier, 2, 0)]
    [InlineData(Phase.ForwardBarrier, 2, 1)]
    [InlineData(Phase.BackwardBarrier, 2, 0)]
    [InlineData(Phase.BackwardBarrier, 2, 1)]
    [InlineData(Phase.Reduce, 2, 0)]
    [InlineData(Phase.Reduce, 2, 1)]
    public void A_worker_that_throws_fails_the_step_with_its_own_exception_and_the_trainer_goes_on(Phase phase, int threads, int thread)
    {
        var fault = new Fault(phase, thread);
        var optimizer = new FaultyOptimizer(new Sgd(0.01, 0.9), fault);
        using var trainer = new TrainerBlueprint("faulty", 1, 28, 28, 10)
            .ShapeKeeping(new FaultSpec(Pixels, fault))
            .Flatten()
            .Linear("fc", Pixels, 10, bias: true)
            .LogSoftmaxNllLoss()
            .Create(new TrainerOptions(Batch, threads, 5, optimizer, SimdWidth.Scalar));
        optimizer.FailingFrom = trainer.Layout.Range(Math.Max(thread, 0), threads).From;

        Assert.True(float.IsFinite(Bounded(() => trainer.Step(Images, Labels))));
        fault.Armed = true;
        var failure = Failure(Task.Run(() => trainer.Step(Images, Labels)));
        var injected = Assert.IsType<InjectedFault>(failure);
        // Its own stack: thrown in the worker's unit or optimizer, not a wrapper made by the team.
        Assert.Contains(phase == Phase.Reduce ? nameof(FaultyOptimizer.Update) : nameof(FaultUnit), injected.StackTrace);
        if (thread >= 0) Assert.Equal(thread, injected.Thread);

        // The team is whole again: the next steps run on every thread.
        fault.Armed = false;
        for (int i = 0; i < 3; i++) Assert.True(float.IsFinite(Bounded(() => trainer.Step(Images, Labels))));
    }

    [Fact]
    public void Every_member_waiting_in_an_aborted_barrier_leaves_it()
    {
        using var team = new WorkerTeam(2);
        var run = Task.Run(() => team.Run(member =>
        {
            if (member == 1) throw new InjectedFault(member);
            team.Barrier(); // member 0 would wait here forever for member 1
        }));
        var failure = Failure(run);
        Assert.Equal(1, Assert.IsType<InjectedFault>(failure).Thread);
    }

    /// <summary>The exception the task ended with; fails the test if it does not end within the bound, or ends well.</summary>
    private static Exception Failure(Task task)
    {
        try
        {
            Assert.True(task.Wait(HangBound), $"the step hung: not done after {HangBound.TotalSeconds} s");
        }
        catch (AggregateException e)
        {
            return e.InnerException!;
        }
        Assert.Fail("the step ended without the injected fault");
        return null!;
    }

    private static T Bounded<T>(Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(HangBound), "the step hung");
        return task.Result;
    }

    public sealed class InjectedFault(int thread) : Exception($"injected fault on thread {thread}")
    {
        public int Thread { get; } = thread;
    }

    /// <summary>Where to fail: one phase, one thread (-1: the thread that takes the last chunk).</summary>
    public sealed class Fault(Phase phase, int thread)
    {
        public Phase Phase { get; } = phase;

        public int Thread { get; } = thread;

        public volatile bool Armed;

        public void At(Phase phase, int thread)
        {
            if (Armed && phase == Phase && (Thread < 0 || thread == Thread)) throw new InjectedFault(thread);
        }
    }

    internal sealed record FaultSpec(int Size, Fault Fault) : TrainerBlueprint.UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in TrainerBlueprint.UnitContext context) => new FaultUnit(Size, context.Batch, context.Chunks, context.Arena, Fault);
    }

    /// <summary>The identity, in two forward and two backward phases (so a barrier with a finishing call on every thread between them).</summary>
    internal sealed unsafe class FaultUnit(int size, int batch, int chunks, NativeArena arena, Fault fault) : ElementwiseUnit(size, batch, arena)
    {
        public override int ForwardPhases => 2;

        public override int BackwardPhases => 2;

        public override void Forward(int phase, in ChunkWork work)
        {
            if (phase == 0 && work.Chunk == chunks - 1) fault.At(Phase.ForwardChunk, work.Thread);
            if (phase == 1) Evaluate(work.From, work.To, work.Thread, work.Parameters);
        }

        public override void FinishForward(int phase, int thread, int batch) => fault.At(Phase.ForwardBarrier, thread);

        public override void Backward(int phase, in ChunkWork work)
        {
            if (phase == 1 && InputGradient != null)
                new Span<float>(OutputGradient + (long)work.From * InputSize, (work.To - work.From) * InputSize)
                    .CopyTo(new Span<float>(InputGradient + (long)work.From * InputSize, (work.To - work.From) * InputSize));
        }

        public override void FinishBackward(int phase, int thread, int batch, float* sharedGradient) => fault.At(Phase.BackwardBarrier, thread);

        public override void Evaluate(int from, int to, int thread, float* parameters) =>
            new Span<float>(Input + (long)from * InputSize, (to - from) * InputSize).CopyTo(new Span<float>(Output + (long)from * InputSize, (to - from) * InputSize));
    }

    /// <summary>SGD that fails on the thread whose range of the parameters starts at <see cref="FailingFrom"/>.</summary>
    public sealed unsafe class FaultyOptimizer(Sgd sgd, Fault fault) : IOptimizer
    {
        public int FailingFrom { get; set; }

        public double LearningRate { get => sgd.LearningRate; set => sgd.LearningRate = value; }

        public double Momentum { get => sgd.Momentum; set => sgd.Momentum = value; }

        public int StateBuffers => sgd.StateBuffers;

        public System.Collections.Generic.IReadOnlyList<string> StateNames => sgd.StateNames;

        public long Steps { get => sgd.Steps; set => sgd.Steps = value; }

        public bool HasState => sgd.HasState;

        public bool CountsStepsInState => sgd.CountsStepsInState;

        public void Update(float* parameters, float* gradients, float** state, int from, int to)
        {
            if (from == FailingFrom) fault.At(Phase.Reduce, fault.Thread);
            sgd.Update(parameters, gradients, state, from, to);
        }

        public void EndStep() => sgd.EndStep();
    }
}
