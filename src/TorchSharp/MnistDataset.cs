using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;

namespace Mnist.Dsl.Torch;

/// <summary>
/// One MNIST set (training or test) held in memory as two tensors, as torchvision's MNIST with
/// <c>ToTensor()</c> and <c>Normalize((0.1307,), (0.3081,))</c> gives it: images float32 [N, 1, 28, 28]
/// computed as (byte / 255 - mean) / std in that order, labels int64 [N]. The set owns its tensors
/// (they belong to no dispose scope): dispose it when done.
/// </summary>
public sealed class MnistDataset : IDisposable
{
    // The normalisation and sizes are the plain arrays' (MnistImages), so both backends feed the same numbers.
    public const double Mean = MnistImages.Mean;
    public const double Std = MnistImages.Std;
    public const double NormalizedBlack = MnistImages.NormalizedBlack;
    public const double NormalizedWhite = MnistImages.NormalizedWhite;
    public const int ImageSize = MnistImages.ImageSize;
    public const int Classes = MnistImages.Classes;

    private MnistDataset(torch.Tensor images, torch.Tensor labels, bool train, string imagesPath, string labelsPath)
    {
        Images = images;
        Labels = labels;
        Train = train;
        ImagesPath = imagesPath;
        LabelsPath = labelsPath;
        Count = labels.size(0);
    }

    /// <summary>Normalised images, float32 [N, 1, 28, 28].</summary>
    public torch.Tensor Images { get; }

    /// <summary>Digits 0-9, int64 [N].</summary>
    public torch.Tensor Labels { get; }

    public long Count { get; }

    /// <summary>True for the training set (train-*), false for the test set (t10k-*).</summary>
    public bool Train { get; }

    public string ImagesPath { get; }

    public string LabelsPath { get; }

    /// <summary>
    /// Where MNIST is looked for when no folder is given: <c>$MNIST_DIR</c> when set, else
    /// <c>~/.cache/mnist-dsl/mnist</c>, where <c>./build.sh fetch-data</c> puts it.
    /// </summary>
    public static string DefaultFolder() => MnistImages.DefaultFolder();

    /// <summary>Loads the training set (60,000 images) or the test set (10,000) from a folder (see <see cref="MnistFiles"/>).</summary>
    public static MnistDataset Load(string folder, bool train)
    {
        var (images, labels) = MnistFiles.LocateSet(folder, train);
        return FromFiles(images, labels, train);
    }

    /// <summary>Loads both sets, after checking that all four files are there.</summary>
    public static (MnistDataset Train, MnistDataset Test) LoadTrainAndTest(string folder)
    {
        var files = MnistFiles.Locate(folder);
        var train = FromFiles(files.TrainImages, files.TrainLabels, train: true);
        try
        {
            return (train, FromFiles(files.TestImages, files.TestLabels, train: false));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>Loads a set from an images file and a labels file (raw or gzipped IDX), checked by <see cref="MnistImages.ReadSet"/>.</summary>
    public static MnistDataset FromFiles(string imagesPath, string labelsPath, bool train)
    {
        var (images, labels) = MnistImages.ReadSet(imagesPath, labelsPath);

        // Made in a scope of our own: intermediates go with it, and the two results leave every scope
        // because the set owns them.
        using var scope = torch.NewDisposeScope();
        var pixels = Normalize(torch.tensor(images.Data, new[] { images.Count, 1, ImageSize, ImageSize }));
        var targets = torch.tensor(labels.Data, new[] { labels.Count }).to_type(torch.int64);
        scope.DisposeEverythingBut(pixels, targets);
        return new MnistDataset(pixels.DetachFromDisposeScope(), targets.DetachFromDisposeScope(), train, imagesPath, labelsPath);
    }

    /// <summary>
    /// uint8 pixels to float32 normalised ones: byte / 255, minus <see cref="Mean"/>, over <see cref="Std"/>,
    /// the operations and order of ToTensor then Normalize, so the values equal torchvision's to the bit.
    /// Each intermediate is freed as soon as the next exists: the training set is 188 MB per copy.
    /// </summary>
    public static torch.Tensor Normalize(torch.Tensor pixels)
    {
        torch.Tensor? floats = null, scaled = null, centred = null;
        try
        {
            floats = pixels.to_type(torch.float32);
            scaled = floats.div(255.0);
            floats.Dispose();
            centred = scaled.sub(Mean);
            scaled.Dispose();
            return centred.div(Std);
        }
        finally
        {
            floats?.Dispose();
            scaled?.Dispose();
            centred?.Dispose();
        }
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    public override string ToString() =>
        $"MNIST {(Train ? "training" : "test")} set: {Count.ToString("N0", CultureInfo.InvariantCulture)} images " +
            $"[N, 1, {ImageSize}, {ImageSize}] from {ImagesPath}";
}
