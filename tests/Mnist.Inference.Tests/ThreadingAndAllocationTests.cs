using System;
using System.Linq;
using System.Threading.Tasks;
using Mnist.Dsl.Training.Serialization;
using Xunit;

namespace Mnist.Inference.Tests;

/// <summary>
/// One inference instance used from many threads at once gives every thread the results it gives alone, and after
/// the first call on a thread Predict, Classify and the sequential PredictBatch allocate nothing.
/// </summary>
[Collection(Serial.Name)]
public class ThreadingAndAllocationTests
{
    private const int Images = 200;

    private static Mnist.Models.SmallNetInference Load(TemporaryFile file)
    {
        using (var module = SampleNetwork.Named("SmallNet").CreateRandomised(seed: 3)) module.SaveWeights(file.Path);
        return Mnist.Models.SmallNetInference.Load(file.Path);
    }

    [Fact]
    public void Concurrent_calls_on_one_instance_give_the_sequential_results()
    {
        using var file = new TemporaryFile(".safetensors");
        var network = Load(file);
        var images = TestSet.Images.AsMemory(0, Images * TestSet.ImageLength);
        var expected = new float[Images * 10];
        network.PredictBatch(images.Span, expected);

        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var mine = new float[Images * 10];
            // Each thread walks the images in its own order, so the threads are at different layers at any moment.
            foreach (var n in Enumerable.Range(0, Images).Select(i => (i + 37 * t) % Images))
                network.Predict(images.Span.Slice(n * TestSet.ImageLength, TestSet.ImageLength), mine.AsSpan(n * 10, 10));
            results[t] = mine;
        });

        Assert.All(results, r => Assert.Equal(expected, r));
        var parallel = new float[Images * 10];
        network.PredictBatch(images, parallel, threads: 3);
        Assert.Equal(expected, parallel);
    }

    [Fact]
    public void After_the_first_call_on_a_thread_nothing_is_allocated()
    {
        using var file = new TemporaryFile(".safetensors");
        var network = Load(file);
        var image = TestSet.Images.AsSpan(0, TestSet.ImageLength);
        var batch = TestSet.Images.AsSpan(0, 16 * TestSet.ImageLength);
        var output = new float[10];
        var outputs = new float[160];
        network.Predict(image, output); // warm-up: this thread's scratch memory

        var memory = TestSet.Images.AsMemory(0, 16 * TestSet.ImageLength);
        long Allocated(Action call)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++) call();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, Allocated(() => network.Predict(TestSet.Images.AsSpan(0, TestSet.ImageLength), output)));
        Assert.Equal(0, Allocated(() => network.Classify(TestSet.Images.AsSpan(0, TestSet.ImageLength))));
        Assert.Equal(0, Allocated(() => network.PredictBatch(TestSet.Images.AsSpan(0, 16 * TestSet.ImageLength), outputs)));
        Assert.Equal(0, Allocated(() => network.PredictBatch(memory, outputs, threads: 1)));
    }
}
