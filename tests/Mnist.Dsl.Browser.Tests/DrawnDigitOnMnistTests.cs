using System;
using System.Linq;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Serve;
using Mnist.Train.Tests;
using Xunit;

namespace Mnist.Dsl.Browser.Tests;

/// <summary>
/// MNIST's own digits are what the preprocessing makes: a test image blown up 10× onto the page's 280×280 canvas comes
/// back as itself, pixel for pixel, for each of the first 1,000 (their boxes fit 20×20, their centres of mass are at pixel
/// (14, 14)), so the page shows the network the kind of image it learned from.
/// </summary>
public sealed class DrawnDigitOnMnistTests
{
    [Fact]
    public void Test_images_enlarged_ten_times_come_back_as_themselves()
    {
        var (imagesPath, _) = MnistFiles.LocateSet(TrainerProcess.MnistFolder(), train: false);
        var images = IdxFile.ReadImages(imagesPath).Data;
        var same = 0;
        const int Count = 1000;
        for (var n = 0; n < Count; n++)
        {
            var image = images.AsSpan(n * 784, 784).ToArray();
            var canvas = new byte[280 * 280];
            for (var y = 0; y < 280; y++)
                for (var x = 0; x < 280; x++) canvas[y * 280 + x] = image[y / 10 * 28 + x / 10];
            var back = DrawnDigit.ToMnist(canvas, 280, 280)!;
            if (back.SequenceEqual(image)) same++;
        }
        Assert.True(same == Count, $"{same} of {Count} test images came back unchanged");
    }
}
