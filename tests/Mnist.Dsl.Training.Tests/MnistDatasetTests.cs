using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;
using Mnist.Dsl.Tests.Data;
using TorchSharp;
using Xunit;
using static Mnist.Dsl.Tests.Data.IdxTestFiles;

namespace Mnist.Dsl.Training.Tests;

/// <summary>MNIST is found where build.sh and torchvision put it, and loads as torchvision's normalised tensors.</summary>
public class MnistDatasetTests
{
    [Fact]
    public void Loading_one_set_needs_only_its_two_files()
    {
        using var files = new IdxTestFiles();
        files.WriteImages("t10k-images-idx3-ubyte", 3);
        files.WriteLabels("t10k-labels-idx1-ubyte.gz", 3, gzip: true);

        using var test = MnistDataset.Load(files.Folder, train: false);
        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.Load(files.Folder, train: true));

        Assert.Equal(3, test.Count);
        Assert.Contains("MNIST files train-images-idx3-ubyte, train-labels-idx1-ubyte (raw or .gz) were not found", e.Message);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_said_so()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mnist-absent-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.LoadTrainAndTest(folder));

        Assert.Contains($"the folder {folder} does not exist", e.Message);
        Assert.Contains(MnistFiles.HowToGetThem, e.Message);
    }

    [Fact]
    public void Both_sets_load_as_normalised_float_images_and_int64_labels()
    {
        using var files = new IdxTestFiles();
        files.WriteMnist(train: 5, test: 3);

        var (train, test) = MnistDataset.LoadTrainAndTest(files.Folder);
        using (train)
        using (test)
        {
            Assert.True(train.Train);
            Assert.False(test.Train);
            Assert.Equal(new long[] { 5, 1, 28, 28 }, train.Images.shape);
            Assert.Equal(new long[] { 3, 1, 28, 28 }, test.Images.shape);
            Assert.Equal(torch.float32, train.Images.dtype);
            Assert.Equal(torch.int64, train.Labels.dtype);
            Assert.Equal(new long[] { 5 }, train.Labels.shape);
            Assert.Equal(Digits(5).Select(d => (long)d), train.Labels.data<long>().ToArray());
            Assert.Equal(Pixels(3).Select(Normalised), test.Images.data<float>().ToArray());
            Assert.False(train.Images.IsInvalid);
        }
        Assert.True(train.Images.IsInvalid);
        Assert.True(test.Labels.IsInvalid);
    }

    [Fact]
    public void Every_byte_normalises_to_torchvisions_value_to_the_bit()
    {
        using var scope = torch.NewDisposeScope();
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var values = MnistDataset.Normalize(torch.tensor(bytes, new long[] { 256 })).data<float>().ToArray();

        Assert.Equal(bytes.Select(Normalised), values);
        Assert.Equal(MnistDataset.NormalizedBlack, values[0], 6);
        Assert.Equal(MnistDataset.NormalizedWhite, values[255], 5);
    }

    [Fact]
    public void The_loaded_tensors_belong_to_the_set_not_to_the_callers_scope()
    {
        using var files = new IdxTestFiles();
        files.WriteMnist();
        MnistDataset set;
        using (var scope = torch.NewDisposeScope())
        {
            set = MnistDataset.Load(files.Folder, train: true);
            Assert.Equal(0, scope.DisposablesCount);
        }
        using (set) Assert.False(set.Images.IsInvalid);
    }

    [Fact]
    public void A_label_that_is_not_a_digit_is_refused()
    {
        using var files = new IdxTestFiles();
        var images = files.WriteImages("images", 3);
        var labels = files.Write("labels", Idx(new long[] { 3 }, new byte[] { 1, 10, 2 }));

        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.FromFiles(images, labels, train: true));

        Assert.Equal($"{labels}: label 10 at index 1 is not a digit 0-9; the file is corrupt.", e.Message);
    }

    [Fact]
    public void Images_that_are_not_28_by_28_are_refused()
    {
        using var files = new IdxTestFiles();
        var images = files.WriteImages("images", 2, rows: 28, columns: 27);
        var labels = files.WriteLabels("labels", 2);

        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.FromFiles(images, labels, train: true));

        Assert.Equal($"{images}: images are 28x27 pixels; MNIST images are 28x28.", e.Message);
    }

    [Fact]
    public void Images_and_labels_of_different_sets_are_refused()
    {
        using var files = new IdxTestFiles();
        files.WriteMnist(train: 5, test: 3);
        File.Copy(Path.Combine(files.Folder, "t10k-labels-idx1-ubyte"), Path.Combine(files.Folder, "train-labels-idx1-ubyte"), overwrite: true);

        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(files.Folder, train: true));

        Assert.Contains("holds 3 labels but", e.Message);
    }

    [Fact]
    public void An_images_file_with_no_images_is_refused()
    {
        using var files = new IdxTestFiles();
        var images = files.WriteImages("images", 0);
        var labels = files.WriteLabels("labels", 0);

        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.FromFiles(images, labels, train: false));

        Assert.Equal($"{images}: the file holds no images.", e.Message);
    }

    /// <summary>ToTensor then Normalize in float32, in torchvision's order.</summary>
    private static float Normalised(byte b) => ((float)b / 255f - (float)MnistDataset.Mean) / (float)MnistDataset.Std;
}

/// <summary>DefaultFolder reads the process environment, so these run alone.</summary>
[Collection(Serial.Name)]
public class MnistDefaultFolderTests
{
    [Fact]
    public void DefaultFolder_is_MNIST_DIR_when_set_else_the_build_sh_cache()
    {
        var saved = Environment.GetEnvironmentVariable("MNIST_DIR");
        try
        {
            Environment.SetEnvironmentVariable("MNIST_DIR", "/data/mnist");
            Assert.Equal("/data/mnist", MnistDataset.DefaultFolder());

            Environment.SetEnvironmentVariable("MNIST_DIR", null);
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(home, ".cache", "mnist-dsl", "mnist"), MnistDataset.DefaultFolder());
        }
        finally
        {
            Environment.SetEnvironmentVariable("MNIST_DIR", saved);
        }
    }
}
