using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Tests.Data;
using Mnist.Dsl.Training.Data;
using Xunit;
using static TorchSharp.torch;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// The plain-C# data path (no TorchSharp type) against the TorchSharp one it stands in for: the same normalised
/// pixels, the same rotation as affine_grid + grid_sample, and seeded batches that are a shuffle of the set.
/// </summary>
[Collection(Serial.Name)]
public sealed class PlainDataPathTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("plain-data-");

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>Every byte value (a pixel has no other): normalised to the same float32, bit for bit.</summary>
    [Fact]
    public void Normalisation_equals_the_tensor_paths_for_every_pixel_value()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var pixels = tensor(bytes, new long[] { 256 });
        using var normalised = MnistDataset.Normalize(pixels);
        var expected = normalised.data<float>().ToArray();
        var actual = bytes.Select(MnistImages.Normalize).ToArray();
        for (var i = 0; i < 256; i++) Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"pixel {i}: torch {expected[i]:R}, plain {actual[i]:R}");
    }

    [Fact]
    public void A_set_loads_the_same_images_and_labels_as_MnistDataset_and_limits_to_its_first_images()
    {
        var (images, labels) = Files(20);
        var plain = MnistImages.FromFiles(images, labels, train: true);
        using var torchSet = MnistDataset.FromFiles(images, labels, train: true);
        Assert.Equal(torchSet.Images.data<float>().ToArray(), plain.Images);
        Assert.Equal(torchSet.Labels.data<long>().ToArray(), plain.Labels.Select(l => (long)l).ToArray());
        var limited = plain.Limit(7);
        Assert.Equal(7, limited.Count);
        Assert.Equal(plain.Images.Take(7 * MnistImages.Pixels), limited.Images);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(7.0)]
    [InlineData(-7.0)]
    [InlineData(3.3)]
    [InlineData(-0.4)]
    [InlineData(45.0)]
    [InlineData(90.0)]
    [InlineData(-123.7)]
    public void Rotation_equals_affine_grid_and_grid_sample_for_a_given_angle(double degrees)
    {
        var (imagesFile, labelsFile) = Files(6);
        var set = MnistImages.FromFiles(imagesFile, labelsFile, train: true);
        var fill = (float)MnistDataset.NormalizedBlack;
        using var images = tensor(set.Images, new long[] { set.Count, 1, 28, 28 });
        using var angles = full(new long[] { set.Count }, degrees, float64);
        using var rotated = Augmentation.Affine(images, angles, null, null, MnistDataset.NormalizedBlack);
        var expected = rotated.data<float>().ToArray();
        var actual = new float[expected.Length];
        for (var i = 0; i < set.Count; i++)
            ImageRotation.Rotate(set.Image(i), actual.AsSpan(i * MnistImages.Pixels, MnistImages.Pixels), 28, 28, degrees, fill);
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 2e-5, $"rotation by {degrees}°: largest difference from grid_sample {worst}");
        if (degrees != 0) Assert.NotEqual(set.Images, actual); // it did rotate
    }

    [Fact]
    public void Batches_are_a_seeded_shuffle_of_the_set_the_same_for_the_same_seed_and_epoch_and_drop_the_partial_batch()
    {
        var (imagesFile, labelsFile) = Files(50);
        var set = MnistImages.FromFiles(imagesFile, labelsFile, train: true);
        var first = new EpochBatches(set, 8, seed: 3, epoch: 1);
        Assert.Equal(6, first.Count); // 50 images: 6 whole batches of 8, the last 2 dropped
        Assert.Equal(Enumerable.Range(0, 50), first.Order.ToArray().Order());
        Assert.Equal(first.Order.ToArray(), new EpochBatches(set, 8, seed: 3, epoch: 1).Order.ToArray());
        Assert.NotEqual(first.Order.ToArray(), new EpochBatches(set, 8, seed: 3, epoch: 2).Order.ToArray());
        Assert.NotEqual(first.Order.ToArray(), new EpochBatches(set, 8, seed: 4, epoch: 1).Order.ToArray());

        var images = new float[8 * MnistImages.Pixels];
        var labels = new int[8];
        var batches = 0;
        var order = first.Order.ToArray();
        while (first.Next(images, labels))
        {
            for (var i = 0; i < 8; i++)
            {
                var index = order[batches * 8 + i];
                Assert.Equal(set.Labels[index], labels[i]);
                Assert.True(set.Image(index).SequenceEqual(images.AsSpan(i * MnistImages.Pixels, MnistImages.Pixels)));
            }
            batches++;
        }
        Assert.Equal(6, batches);
    }

    [Fact]
    public void Augmented_batches_rotate_each_image_by_its_own_angle_within_the_range_reproducibly()
    {
        var (imagesFile, labelsFile) = Files(16);
        var set = MnistImages.FromFiles(imagesFile, labelsFile, train: true);
        float[] Batch(int epoch, int threads = 1)
        {
            var batches = new EpochBatches(set, 16, seed: 1, epoch, shuffle: false, degrees: 7, threads);
            var images = new float[16 * MnistImages.Pixels];
            Assert.True(batches.Next(images, new int[16]));
            return images;
        }
        var batch = Batch(1);
        Assert.Equal(batch, Batch(1));
        // The angles are drawn before the threads split the batch: any thread count gives the same images.
        Assert.Equal(batch, Batch(1, threads: 3));
        Assert.NotEqual(batch, Batch(2));
        Assert.NotEqual(set.Images, batch);

        var random = new SeededRandom(42);
        var angles = Enumerable.Range(0, 10_000).Select(_ => RotationDraws.Angle(random, 7)).ToArray();
        Assert.All(angles, a => Assert.InRange(a, -7, 7));
        Assert.True(angles.Min() < -6.9 && angles.Max() > 6.9 && Math.Abs(angles.Average()) < 0.2, "angles are uniform on [-7, 7]");
    }

    [Fact]
    public void Skipping_batches_draws_their_angles_so_the_batches_after_are_those_of_an_epoch_read_from_its_start()
    {
        var (imagesFile, labelsFile) = Files(40);
        var set = MnistImages.FromFiles(imagesFile, labelsFile, train: true);
        EpochBatches Epoch() => new(set, 8, seed: 2, epoch: 3, shuffle: true, degrees: 7);
        var images = new float[8 * MnistImages.Pixels];
        var labels = new int[8];
        var read = Epoch();
        for (var b = 0; b < 3; b++) Assert.True(read.Next(images, labels));
        var skipped = Epoch();
        skipped.Skip(2);
        var (skippedImages, skippedLabels) = (new float[images.Length], new int[8]);
        Assert.True(skipped.Next(skippedImages, skippedLabels));
        Assert.Equal(labels, skippedLabels);
        Assert.Equal(images, skippedImages); // the same angles: the skipped batches' draws were taken
        var unskipped = Epoch();
        Assert.True(unskipped.Next(skippedImages, skippedLabels));
        Assert.NotEqual(images, skippedImages);
        skipped.Skip(10); // past the end: nothing left
        Assert.False(skipped.Next(images, labels));
    }

    private (string Images, string Labels) Files(int count)
    {
        var images = Path.Combine(_work.FullName, $"images-{count}");
        var labels = Path.Combine(_work.FullName, $"labels-{count}");
        File.WriteAllBytes(images, IdxTestFiles.Idx(new long[] { count, 28, 28 }, Digitlike(count)));
        File.WriteAllBytes(labels, IdxTestFiles.Idx(new long[] { count }, IdxTestFiles.Digits(count)));
        return (images, labels);
    }

    /// <summary>Random strokes on a black frame, as MNIST digits are: a rotation moves ink, and corners take the fill.</summary>
    private static byte[] Digitlike(int count)
    {
        var random = new Random(5);
        var pixels = new byte[count * 28 * 28];
        for (var n = 0; n < count; n++)
            for (var y = 4; y < 24; y++)
                for (var x = 4; x < 24; x++)
                    pixels[n * 784 + y * 28 + x] = (byte)(random.Next(3) == 0 ? random.Next(256) : 0);
        return pixels;
    }
}
