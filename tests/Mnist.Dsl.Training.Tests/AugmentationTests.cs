using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;
using Xunit;
using static TorchSharp.torch;
using Mnist.Tests.Shared;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// The augmentation is exact on transforms that map pixels onto pixels, fills with normalised black, draws
/// from the seeded generator, and equals torchvision's rotate/affine (restated in python/affine_reference.py).
/// </summary>
[Collection(Serial.Name)]
public class AugmentationTests
{
    private const double Black = MnistDataset.NormalizedBlack;

    /// <summary>
    /// Against the reference: both build the sampling grid in float32 but by different arithmetic (a normalised
    /// theta through affine_grid here, pixel coordinates divided by half the size there); over random
    /// transforms of MNIST-sized images the results differ by up to 1e-5 relative, so allow a margin.
    /// </summary>
    private const double ReferenceTolerance = 5e-5;

    /// <summary>Normalised as MnistDataset does, from unnormalised pixels on [0, 1].</summary>
    private static Tensor Normalise(Tensor unit) => unit.sub(MnistDataset.Mean).div(MnistDataset.Std);

    /// <summary>Random pixels with a black frame <paramref name="frame"/> pixels wide, as MNIST digits have.</summary>
    private static Tensor FramedPixels(long n, int height, int width, int frame = 2)
    {
        var mask = new float[height * width];
        for (var i = frame; i < height - frame; i++)
            for (var j = frame; j < width - frame; j++)
                mask[i * width + j] = 1;
        return rand(new[] { n, 1L, height, width }) * tensor(mask, new long[] { 1, 1, height, width });
    }

    private static Tensor Angles(params double[] degrees) => tensor(degrees, new long[] { degrees.Length });

    [Fact]
    public void The_identity_transform_returns_the_input()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var x = Normalise(FramedPixels(3, 28, 28, frame: 0));

        var fixedIdentity = Augmentation.Affine(x, Angles(0, 0, 0), zeros(new long[] { 3, 2 }, float64), ones(new long[] { 3 }, float64), Black);
        var randomIdentity = new Augmentation(degrees: 0, translate: 0, minScale: 1, maxScale: 1).Apply(x);

        TensorAssert.Close(x, fixedIdentity, 1e-5, "identity");
        TensorAssert.Close(x, randomIdentity, 1e-5, "Augmentation(degrees: 0)");
    }

    [Theory]
    [InlineData(4, 90)]
    [InlineData(5, 90)]
    [InlineData(4, -90)]
    [InlineData(5, 180)]
    [InlineData(6, 270)]
    public void Quarter_turns_of_an_asymmetric_image_move_every_pixel_onto_its_rotated_place(int size, double degrees)
    {
        using var scope = NewDisposeScope();
        var pixels = Enumerable.Range(0, size * size).Select(i => (float)(i * i % 17) / 4 - 1).ToArray();
        var expected = pixels;
        // Counter-clockwise as displayed (rows down), as torchvision's rotate: the right column becomes the top row.
        for (var turn = 0; turn < ((int)(degrees / 90) % 4 + 4) % 4; turn++)
        {
            var source = expected;
            expected = new float[source.Length];
            for (var i = 0; i < size; i++)
                for (var j = 0; j < size; j++)
                    expected[i * size + j] = source[j * size + size - 1 - i];
        }
        var x = tensor(pixels, new long[] { 1, 1, size, size });

        var y = Augmentation.Affine(x, Angles(degrees), null, null, Black);

        TensorAssert.Close(tensor(expected, new long[] { 1, 1, size, size }), y, 1e-5, $"{degrees}° on {size}x{size}");
    }

    [Fact]
    public void Whole_pixel_shifts_move_the_image_right_and_down_and_bring_in_the_fill()
    {
        using var scope = NewDisposeScope();
        var pixels = Enumerable.Range(0, 12).Select(i => (float)i).ToArray(); // 3 rows of 4
        var x = tensor(pixels, new long[] { 1, 1, 3, 4 });

        var y = Augmentation.Affine(x, Angles(0), tensor(new double[] { 1, 1 }, new long[] { 1, 2 }), null, fill: -5);

        var expected = new float[12];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                expected[i * 4 + j] = i == 0 || j == 0 ? -5 : pixels[(i - 1) * 4 + j - 1];
        TensorAssert.Close(tensor(expected, new long[] { 1, 1, 3, 4 }), y, 1e-5, "shift by (1, 1)");
    }

    [Fact]
    public void The_outside_is_normalised_black_so_a_black_image_stays_black_at_any_angle()
    {
        using var scope = NewDisposeScope();
        var black = full(new long[] { 3, 1, 28, 28 }, Black);

        var rotated = Augmentation.Affine(black, Angles(45, 30, -13), null, tensor(new double[] { 1, 0.7, 1 }, new long[] { 3 }), Black);
        var zeroFilled = Augmentation.Affine(black, Angles(45, 30, -13), null, null, fill: 0);
        manual_seed(5);
        var augmented = new Augmentation(degrees: 30, translate: 0.2, minScale: 0.8, maxScale: 1.2).Apply(black);

        TensorAssert.Close(black, rotated, 1e-5, "rotated black");
        TensorAssert.Close(black, augmented, 1e-5, "augmented black");
        // What padding with zeros would have done: mid-grey corners (0 is the mean, not black).
        Assert.Equal(0f, zeroFilled.data<float>()[0], 6);
    }

    [Fact]
    public void Rotation_translation_and_scale_equal_torchvisions_affine_on_square_and_oblong_images()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        foreach (var (height, width) in new[] { (28, 28), (20, 24) })
        {
            var unit = FramedPixels(4, height, width);
            var inputs = new Dictionary<string, Tensor>
            {
                ["images"] = unit,
                ["angles"] = Angles(30, -45, 7.5, 90),
                ["translations"] = tensor(new double[] { 1.5, -2, 0, 0, -3.25, 0.5, 2, 2 }, new long[] { 4, 2 }),
                ["scales"] = tensor(new double[] { 1, 1.2, 0.85, 1 }, new long[] { 4 }),
            };

            var y = Augmentation.Affine(Normalise(unit), inputs["angles"], inputs["translations"], inputs["scales"], Black);

            var expected = PyTorch.Run("affine_reference.py", inputs, "fixed");
            TensorAssert.Close(expected["y"], y, ReferenceTolerance, $"affine on {height}x{width}");
        }
    }

    [Theory]
    [InlineData(7, 0, 1, 1)]
    [InlineData(7, 0.1, 0.9, 1.1)]
    [InlineData(0, 0.15, 1, 1)]
    [InlineData(0, 0, 0.8, 1.2)]
    public void Random_draws_come_from_the_seeded_generator_as_pytorch_draws_them(double degrees, double translate, double minScale, double maxScale)
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var unit = FramedPixels(8, 28, 28, frame: 4);
        const int seed = 77;

        manual_seed(seed);
        var y = new Augmentation(degrees, translate, minScale, maxScale).Apply(Normalise(unit));

        var expected = PyTorch.Run("affine_reference.py", new Dictionary<string, Tensor> { ["images"] = unit }, "random",
            seed.ToString(CultureInfo.InvariantCulture), degrees.ToString("R", CultureInfo.InvariantCulture), translate.ToString("R", CultureInfo.InvariantCulture),
            minScale.ToString("R", CultureInfo.InvariantCulture), maxScale.ToString("R", CultureInfo.InvariantCulture));
        TensorAssert.Close(expected["y"], y, ReferenceTolerance, $"Augmentation({degrees}, {translate}, {minScale}, {maxScale})");
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_each_image_its_own_transform()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var one = Normalise(FramedPixels(1, 28, 28));
        var batch = cat(new[] { one, one, one, one });
        var augmentation = new Augmentation(degrees: 7, translate: 0.1);

        manual_seed(21);
        var first = augmentation.Apply(batch).data<float>().ToArray();
        manual_seed(21);
        var again = augmentation.Apply(batch).data<float>().ToArray();

        Assert.Equal(first, again);
        var images = first.Chunk(28 * 28).ToArray();
        Assert.NotEqual(images[0], images[1]);
        Assert.NotEqual(images[1], images[2]);
    }

    [Fact]
    public void The_result_joins_the_callers_scope_and_nothing_else_does()
    {
        using var scope = NewDisposeScope();
        var x = zeros(new long[] { 2, 1, 28, 28 });
        var before = scope.DisposablesCount;

        var y = new Augmentation(degrees: 10, translate: 0.1, minScale: 0.9, maxScale: 1.1).Apply(x);

        Assert.Equal(before + 1, scope.DisposablesCount);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(float32, y.dtype);
    }

    [Fact]
    public void Inputs_that_are_not_a_float_batch_of_images_are_refused()
    {
        using var scope = NewDisposeScope();
        var augmentation = new Augmentation();

        Assert.Throws<ArgumentException>(() => augmentation.Apply(zeros(new long[] { 1, 28, 28 })));
        Assert.Throws<ArgumentException>(() => augmentation.Apply(zeros(new long[] { 1, 1, 28, 28 }, uint8)));
        Assert.Throws<ArgumentException>(() => Augmentation.Affine(zeros(new long[] { 2, 1, 4, 4 }), Angles(1, 2, 3), null, null, Black));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation(minScale: 1.2, maxScale: 1.1));
    }
}
