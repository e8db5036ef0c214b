using System;
using System.Linq;
using Mnist.Dsl.Training.Serve;
using Xunit;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// The draw-a-digit page's preprocessing, as MNIST's: the ink's bounding box scaled to fit 20×20 keeping its aspect
/// ratio, then centred in 28×28 by its centre of mass (at pixel (14, 14), as MNIST's).
/// </summary>
public sealed class DrawnDigitTests
{
    private const int Canvas = 280;

    private static byte[] Blank() => new byte[Canvas * Canvas];

    private static void Fill(byte[] canvas, int left, int top, int width, int height, byte value = 255)
    {
        for (var y = top; y < top + height; y++)
            for (var x = left; x < left + width; x++) canvas[y * Canvas + x] = value;
    }

    /// <summary>The 28×28 image's inked columns and rows: (left, top, width, height).</summary>
    private static (int Left, int Top, int Width, int Height) Box(byte[] image)
    {
        var xs = Enumerable.Range(0, 784).Where(i => image[i] > 0).Select(i => i % 28).ToArray();
        var ys = Enumerable.Range(0, 784).Where(i => image[i] > 0).Select(i => i / 28).ToArray();
        return (xs.Min(), ys.Min(), xs.Max() - xs.Min() + 1, ys.Max() - ys.Min() + 1);
    }

    [Fact]
    public void A_wide_rectangle_becomes_20_by_10_full_ink_centred_in_the_28x28_field()
    {
        var canvas = Blank();
        Fill(canvas, 30, 120, 100, 50);
        var image = DrawnDigit.ToMnist(canvas, Canvas, Canvas)!;
        // 100×50 scaled by 20/100 is 20×10; its centre of mass, pixel (9.5, 4.5), moves to (14, 14) rounded up: columns 5-24, rows 10-19.
        for (var y = 0; y < 28; y++)
            for (var x = 0; x < 28; x++)
                Assert.True(image[y * 28 + x] == (x is >= 5 and <= 24 && y is >= 10 and <= 19 ? 255 : 0), $"pixel ({x}, {y}) is {image[y * 28 + x]}");
    }

    [Fact]
    public void A_tall_stroke_keeps_its_aspect_ratio_its_longer_side_20_pixels()
    {
        var canvas = Blank();
        Fill(canvas, 200, 20, 20, 200);
        var box = Box(DrawnDigit.ToMnist(canvas, Canvas, Canvas)!);
        Assert.Equal((2, 20), (box.Width, box.Height));
    }

    /// <summary>An L with a heavier foot: its centre of mass is not its box's centre.</summary>
    private static byte[] Ell(int left, int top, int scale)
    {
        var canvas = Blank();
        Fill(canvas, left, top, 4 * scale, 20 * scale);
        Fill(canvas, left, top + 16 * scale, 14 * scale, 4 * scale);
        return canvas;
    }

    [Fact]
    public void Where_and_how_large_the_digit_is_drawn_does_not_change_the_image_and_its_centre_of_mass_is_the_fields_centre()
    {
        var reference = DrawnDigit.ToMnist(Ell(10, 10, 5), Canvas, Canvas)!;
        Assert.Equal(reference, DrawnDigit.ToMnist(Ell(150, 60, 5), Canvas, Canvas));
        Assert.Equal(reference, DrawnDigit.ToMnist(Ell(40, 30, 10), Canvas, Canvas));
        Assert.Equal(reference, DrawnDigit.ToMnist(Ell(0, 0, 1), Canvas, Canvas)); // drawn smaller than 20×20: scaled up
        double mass = reference.Sum(v => (double)v);
        var centreX = Enumerable.Range(0, 784).Sum(i => reference[i] * (i % 28)) / mass;
        var centreY = Enumerable.Range(0, 784).Sum(i => reference[i] * (i / 28)) / mass;
        Assert.InRange(centreX, 13.5, 14.5);
        Assert.InRange(centreY, 13.5, 14.5);
        Assert.Equal(20, Box(reference).Height);
    }

    [Fact]
    public void Partly_covered_pixels_become_gray_as_MNIST_antialiasing()
    {
        var canvas = Blank();
        Fill(canvas, 0, 0, 200, 5); // two 5-pixel lines 200 apart: the box is 200×200, a pixel of the 20×20 covers 10×10,
        Fill(canvas, 0, 195, 200, 5); // so the lines' rows are half covered
        var image = DrawnDigit.ToMnist(canvas, Canvas, Canvas)!;
        var rows = Enumerable.Range(0, 28).Select(y => image.Skip(y * 28).Take(28).Max()).Where(v => v > 0).ToArray();
        Assert.Equal(new byte[] { 128, 128 }, rows); // 127.5 each, rounded
        var faint = Blank();
        Fill(faint, 0, 0, 200, 200, 100);
        Assert.Equal(100, DrawnDigit.ToMnist(faint, Canvas, Canvas)!.Max()); // intensity is kept, not thresholded
    }

    [Fact]
    public void An_empty_canvas_is_no_digit_and_a_wrong_size_is_refused()
    {
        Assert.Null(DrawnDigit.ToMnist(Blank(), Canvas, Canvas));
        var error = Assert.Throws<ArgumentException>(() => DrawnDigit.ToMnist(new byte[10], 3, 3));
        Assert.Contains("10 bytes are not a 3x3 canvas", error.Message);
    }
}
