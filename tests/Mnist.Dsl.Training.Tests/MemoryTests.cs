using System;
using System.Linq;
using Mnist.Dsl.Training.Data;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Mnist.Dsl.Training.Tests;

/// <summary>Training inside dispose scopes releases every tensor of every step: nothing accumulates.</summary>
[Collection(Serial.Name)]
public class MemoryTests
{
    [Fact]
    public void Two_thousand_training_steps_in_dispose_scopes_leave_tensors_and_resident_memory_flat()
    {
        // The trainer's loop in small: shuffled batches, rotation, forward, backward, SGD with momentum, the
        // loss and accuracy read back; a dispose scope per step (TorchSharp's issue #1278 is what happens without).
        manual_seed(1);
        // One intra-op thread: on a busy machine two spinning OpenMP threads per op turn seconds into minutes, and
        // each thread's malloc arena adds resident memory that is not a leak.
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            TrainAndMeasure();
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static void TrainAndMeasure()
    {
        using var images = randn(new long[] { 64, 1, 28, 28 });
        using var labels = randint(10, new long[] { 64 });
        using var model = nn.Sequential(
            nn.Conv2d(1, 8, 3), nn.ReLU(), nn.BatchNorm2d(8), nn.Dropout(0.1), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10), nn.LogSoftmax(1));
        using var optimizer = optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        var augmentation = new Augmentation(degrees: 7);
        var batches = new BatchIterator(images, labels, 16, shuffle: true);

        void Steps(int count)
        {
            var done = 0;
            while (done < count)
            {
                foreach (var (x, y) in batches)
                {
                    using var scope = NewDisposeScope();
                    optimizer.zero_grad();
                    var output = model.forward(augmentation.Apply(x));
                    var loss = nn.functional.nll_loss(output, y);
                    loss.backward();
                    optimizer.step();
                    _ = loss.item<float>();
                    _ = output.argmax(1).eq(y).sum().item<long>();
                    if (++done == count) break;
                }
            }
        }

        Steps(2000); // warm-up: optimizer state, allocator pools and arenas, JIT, tiered compilation (after 500, 2 of 4 runs grew 37-40 MiB next; after 2,000, 4 of 4 passed)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var tensorsAfterWarmup = Tensor.TotalCount;
        var residentAfterWarmup = ProcSelf.ResidentBytes();

        Steps(2000);
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(tensorsAfterWarmup, Tensor.TotalCount);
        var growth = ProcSelf.ResidentBytes() - residentAfterWarmup;
        // The tensor count above is the exact leak check; resident memory catches native leaks, coarsely: allocator
        // arenas move by megabytes (a clean-clone CI run saw 16,392 KiB on 2026-12-02, against a 16 MiB bound). 32 MiB
        // still fails a leak of 16 KiB per step.
        Assert.True(growth < 32L << 20, $"resident memory grew by {growth / 1024} KiB over 2,000 steps after warm-up");
    }

    [Fact]
    public void Disposing_a_scope_releases_its_tensors_but_not_those_moved_out()
    {
        var before = Tensor.TotalCount;
        Tensor kept;
        using (var scope = NewDisposeScope())
        {
            var a = ones(new long[] { 3 });
            var b = a * 2;
            var sum = a + b;
            Assert.Equal(3, scope.DisposablesCount);
            kept = sum.MoveToOuterDisposeScope();
            Assert.Equal(2, scope.DisposablesCount);
        }
        Assert.Equal(before + 1, Tensor.TotalCount);
        Assert.Equal(new[] { 3f, 3f, 3f }, kept.data<float>().ToArray());
        kept.Dispose();
        Assert.Equal(before, Tensor.TotalCount);
    }
}
