using Mnist.Dsl.Data;

namespace Mnist.Dsl.Training.Data;

/// <summary>
/// One MNIST set in plain arrays, for training with no native library: images normalised ((byte / 255 - mean) / std,
/// in float32, in that order, as the TorchSharp backend's tensors are too), [N][28 × 28] row-major in one array, and labels 0-9.
/// </summary>
public sealed class MnistImages
{
    /// <summary>The mean pixel of the MNIST training images, on [0, 1].</summary>
    public const double Mean = 0.1307;

    /// <summary>The standard deviation of the MNIST training pixels, on [0, 1].</summary>
    public const double Std = 0.3081;

    /// <summary>Black (pixel 0) after normalisation: the background, and the fill of augmentation.</summary>
    public const double NormalizedBlack = -Mean / Std;

    /// <summary>White (pixel 255) after normalisation.</summary>
    public const double NormalizedWhite = (1 - Mean) / Std;

    public const int ImageSize = 28;
    public const int Classes = 10;

    /// <summary>Floats per image (1 × 28 × 28).</summary>
    public const int Pixels = ImageSize * ImageSize;

    private MnistImages(float[] images, byte[] labels, bool train, string imagesPath)
    {
        Images = images;
        Labels = labels;
        Train = train;
        ImagesPath = imagesPath;
    }

    /// <summary>Normalised images, [<see cref="Count"/>][784].</summary>
    public float[] Images { get; }

    /// <summary>Digits 0-9.</summary>
    public byte[] Labels { get; }

    public int Count => Labels.Length;

    public bool Train { get; }

    public string ImagesPath { get; }

    /// <summary>One image's normalised pixels.</summary>
    public ReadOnlySpan<float> Image(int index) => Images.AsSpan(index * Pixels, Pixels);

    /// <summary>The folder MNIST is looked for in: <c>$MNIST_DIR</c>, else <c>~/.cache/mnist-dsl/mnist</c> (<c>./build.sh fetch-data</c>).</summary>
    public static string DefaultFolder()
    {
        var configured = Environment.GetEnvironmentVariable("MNIST_DIR");
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mnist-dsl", "mnist");
    }

    /// <summary>The training set (60,000 images) or the test set (10,000) from a folder (see <see cref="MnistFiles"/>).</summary>
    public static MnistImages Load(string folder, bool train)
    {
        var (images, labels) = MnistFiles.LocateSet(folder, train);
        return FromFiles(images, labels, train);
    }

    /// <summary>A set from an images file and a labels file (raw or gzipped IDX), checked by <see cref="ReadSet"/>.</summary>
    public static MnistImages FromFiles(string imagesPath, string labelsPath, bool train)
    {
        var (images, labels) = ReadSet(imagesPath, labelsPath);
        var pixels = images.Data;
        var normalised = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++) normalised[i] = Normalize(pixels[i]);
        return new MnistImages(normalised, labels.Data, train, imagesPath);
    }

    /// <summary>
    /// An images file and its labels file (raw or gzipped IDX), read and checked for both MNIST sets in memory (this and
    /// the TorchSharp backend's MnistDataset): as many labels as images, 28×28 images, at least one, every label a digit 0-9.
    /// </summary>
    internal static (IdxFile Images, IdxFile Labels) ReadSet(string imagesPath, string labelsPath)
    {
        var (images, labels) = IdxFile.ReadPair(imagesPath, labelsPath);
        var shape = images.Shape;
        if (shape[1] != ImageSize || shape[2] != ImageSize)
            throw new InvalidDataException($"{imagesPath}: images are {shape[1]}x{shape[2]} pixels; MNIST images are {ImageSize}x{ImageSize}.");
        if (images.Count == 0) throw new InvalidDataException($"{imagesPath}: the file holds no images.");
        var digits = labels.Data;
        for (var i = 0; i < digits.Length; i++)
        {
            if (digits[i] >= Classes)
                throw new InvalidDataException(
                    $"{labelsPath}: label {digits[i]} at index {i.ToString("N0", CultureInfo.InvariantCulture)} is not a digit 0-9; " +
                    $"the file is corrupt.");
        }
        return (images, labels);
    }

    /// <summary>
    /// A pixel as torchvision's ToTensor then Normalize give it: float32 operations in libtorch's order (divide by
    /// 255, subtract the mean, divide by the standard deviation, each rounded to float32), so the values are torch's.
    /// </summary>
    public static float Normalize(byte pixel) => ((pixel / 255f) - (float)Mean) / (float)Std;

    /// <summary>The first <paramref name="limit"/> images (all when 0 or more than there are): quick runs on a subset.</summary>
    public MnistImages Limit(int limit) =>
        limit <= 0 || limit >= Count ? this
            : new MnistImages(Images.AsSpan(0, limit * Pixels).ToArray(), Labels.AsSpan(0, limit).ToArray(), Train, ImagesPath);
}
