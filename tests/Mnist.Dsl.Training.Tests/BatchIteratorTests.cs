using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;
using Xunit;
using static TorchSharp.torch;
using Mnist.Tests.Shared;

namespace Mnist.Dsl.Training.Tests;

/// <summary>Batching visits every sample once per epoch, in randperm's order, keeps images with their labels and frees its tensors.</summary>
[Collection(Serial.Name)]
public class BatchIteratorTests
{
    /// <summary>Sample i has image [2i, 2i + 1] and label i, so pairing and order can be read off the batches.</summary>
    private static (Tensor images, Tensor labels) Samples(long n) =>
        (arange(0, 2 * n, 1, float32).reshape(n, 1, 2), arange(0, n, 1, int64));

    /// <summary>The labels of each batch of one epoch, checking on the way that each image came with its label.</summary>
    private static List<long[]> Epoch(BatchIterator batches)
    {
        var result = new List<long[]>();
        foreach (var (images, labels) in batches)
        {
            var l = labels.data<long>().ToArray();
            var x = images.data<float>().ToArray();
            Assert.Equal(l.SelectMany(i => new float[] { 2 * i, 2 * i + 1 }), x);
            Assert.Equal(new[] { l.Length, 1L, 2L }, images.shape);
            result.Add(l);
        }
        return result;
    }

    [Fact]
    public void Every_sample_appears_exactly_once_per_epoch_and_the_last_partial_batch_is_kept()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(103);
        var batches = new BatchIterator(images, labels, 10);

        for (var epoch = 0; epoch < 3; epoch++)
        {
            var seen = Epoch(batches);
            Assert.Equal(Enumerable.Repeat(10, 10).Append(3), seen.Select(b => b.Length));
            Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), seen.SelectMany(b => b).OrderBy(i => i));
        }
        Assert.Equal(11, batches.Count);
        Assert.Equal(103, batches.Size);
    }

    [Fact]
    public void Drop_last_leaves_out_the_partial_batch()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(103);
        var batches = new BatchIterator(images, labels, 10, drop_last: true);

        var seen = Epoch(batches);

        Assert.Equal(10, batches.Count);
        Assert.Equal(Enumerable.Repeat(10, 10), seen.Select(b => b.Length));
        Assert.Equal(100, seen.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void A_batch_larger_than_the_set_gives_one_batch_of_everything()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(7);

        var seen = Epoch(new BatchIterator(images, labels, 64));

        Assert.Equal(new[] { 7 }, seen.Select(b => b.Length));
    }

    [Fact]
    public void Without_shuffling_batches_are_in_order()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(25);

        var seen = Epoch(new BatchIterator(images, labels, 10, shuffle: false));

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), seen.SelectMany(b => b));
        Assert.Equal(new[] { 10, 10, 5 }, seen.Select(b => b.Length));
    }

    [Fact]
    public void The_same_seed_gives_the_same_order_and_each_epoch_a_new_one()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(100);
        var batches = new BatchIterator(images, labels, 32);

        manual_seed(11);
        var first = Epoch(batches).SelectMany(b => b).ToArray();
        var second = Epoch(batches).SelectMany(b => b).ToArray();
        manual_seed(11);
        var again = Epoch(batches).SelectMany(b => b).ToArray();
        manual_seed(12);
        var other = Epoch(batches).SelectMany(b => b).ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Epoch_orders_are_pytorchs_randperm_after_manual_seed()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(1000);
        var batches = new BatchIterator(images, labels, 128);

        manual_seed(2024);
        var epochs = Enumerable.Range(0, 2).Select(_ => Epoch(batches).SelectMany(b => b).ToArray()).ToArray();

        var expected = PyTorch.Run("randperm.py", new Dictionary<string, Tensor>(), "2024", "1000", "2");
        Assert.Equal(expected["epoch0"].data<long>().ToArray(), epochs[0]);
        Assert.Equal(expected["epoch1"].data<long>().ToArray(), epochs[1]);
    }

    [Fact]
    public void Batches_are_made_in_the_callers_scope_and_freed_as_the_epoch_moves_on()
    {
        using var outer = NewDisposeScope();
        var (images, labels) = Samples(30);
        var counted = outer.DisposablesCount;
        var batches = new BatchIterator(images, labels, 10);

        using (var enumerator = batches.GetEnumerator())
        {
            Assert.True(enumerator.MoveNext());
            var first = enumerator.Current;
            Assert.Equal(counted + 2, outer.DisposablesCount); // the batch is the caller's; the permutation and the index are not
            Assert.True(enumerator.MoveNext());
            Assert.True(first.Images.IsInvalid);
            Assert.True(first.Labels.IsInvalid);
            var second = enumerator.Current;
            Assert.False(second.Images.IsInvalid);
            Assert.True(enumerator.MoveNext());
            Assert.False(enumerator.MoveNext());
            Assert.True(second.Labels.IsInvalid);
        }
        Assert.Equal(counted, outer.DisposablesCount);
        Assert.False(images.IsInvalid);
        Assert.False(labels.IsInvalid);
    }

    [Fact]
    public void Without_disposeBatch_batches_stay_with_the_callers_scope()
    {
        var (images, labels) = Samples(30);
        using (images)
        using (labels)
        {
            var kept = new List<Tensor>();
            using (var scope = NewDisposeScope())
            {
                foreach (var (x, y) in new BatchIterator(images, labels, 10, disposeBatch: false)) kept.AddRange(new[] { x, y });
                Assert.Equal(6, scope.DisposablesCount);
                Assert.All(kept, t => Assert.False(t.IsInvalid));
            }
            Assert.All(kept, t => Assert.True(t.IsInvalid));
        }
    }

    [Fact]
    public void Stopping_an_epoch_early_frees_what_it_made()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(30);
        var counted = scope.DisposablesCount;

        var (x, _) = new BatchIterator(images, labels, 10).First();

        Assert.True(x.IsInvalid);
        Assert.Equal(counted, scope.DisposablesCount);
    }

    [Fact]
    public void Images_and_labels_must_pair_up_and_the_batch_size_be_positive()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = Samples(10);
        using var fewer = arange(0, 9, 1, int64);

        Assert.Throws<ArgumentException>(() => new BatchIterator(images, fewer, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchIterator(images, labels, 0));
    }
}
