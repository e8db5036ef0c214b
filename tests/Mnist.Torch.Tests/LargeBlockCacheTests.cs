using System;
using System.Linq;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>
/// The shim's cache of freed blocks of 32 MB and more (native/large_block_cache.cpp): a batch of 1,000 images
/// makes activations that large, and without the cache each one came back from the kernel as fresh pages every
/// batch. Serial: the tests count the process's page faults and resident memory.
/// </summary>
[Collection(Serial.Name)]
public class LargeBlockCacheTests
{
    private const long MB = 1 << 20;

    /// <summary>40 MB of float32: above glibc's largest mmap threshold (32 MB), where the cache takes over.</summary>
    private const long LargeFloats = 40 * MB / 4;

    [Fact]
    public void A_freed_large_block_is_handed_out_again_without_touching_fresh_pages()
    {
        FillAndFree(LargeFloats, 1); // the first allocation maps the block; its free puts it in the cache
        var before = ProcSelf.MinorPageFaults();
        for (var i = 0; i < 20; i++) FillAndFree(LargeFloats, i);
        var faults = ProcSelf.MinorPageFaults() - before;

        // Without the cache every round faults in all 10,240 pages of a fresh mapping (204,800 in all).
        var pagesPerBlock = LargeFloats * 4 / Environment.SystemPageSize;
        Assert.True(faults < pagesPerBlock, $"{faults} page faults over 20 allocations of a 40 MB tensor; one fresh block is {pagesPerBlock}");
    }

    [Fact]
    public void Large_tensors_alive_at_the_same_time_never_share_a_block()
    {
        using var scope = NewDisposeScope();
        var first = full(new[] { LargeFloats }, 1);
        var second = full(new[] { LargeFloats }, 2);
        first.Dispose(); // its block goes to the cache and to the next tensor of that size
        var third = full(new[] { LargeFloats }, 3);
        var fourth = full(new[] { LargeFloats }, 4);

        foreach (var (tensor, value) in new[] { (second, 2f), (third, 3f), (fourth, 4f) })
        {
            Assert.Equal(value, tensor.min().item<float>());
            Assert.Equal(value, tensor.max().item<float>());
        }
    }

    [Fact]
    public void The_cache_keeps_at_most_512_MB_of_freed_blocks()
    {
        // 16 distinct sizes of 40-55 MB, 760 MB in all, each freed before the next: a cache without its bound
        // would keep all of them resident; with it, at most 512 MB stay and the rest go back to the system.
        var sizes = Enumerable.Range(0, 16).Select(i => (40 + i) * MB / 4).ToArray();
        var before = ProcSelf.ResidentBytes();
        foreach (var floats in sizes) FillAndFree(floats, 1);
        var growth = ProcSelf.ResidentBytes() - before;

        var allocated = sizes.Sum() * 4;
        Assert.True(allocated > 700 * MB, "the test must free more than the cache may keep");
        Assert.True(growth < 512 * MB + 64 * MB, $"resident memory grew by {growth / MB} MB after freeing {allocated / MB} MB of large tensors");
    }

    private static void FillAndFree(long floats, double value)
    {
        using var scope = NewDisposeScope();
        var tensor = full(new[] { floats }, value);
        Assert.Equal((float)value, tensor.max().item<float>());
    }
}
