using System;
using System.IO;
using System.IO.Compression;

namespace Mnist.Classify;

/// <summary>
/// The MNIST test set from its IDX files (raw or .gz), normalised as the trainer does: (pixel / 255 − 0.1307) / 0.3081.
/// Its own small reader, because Mnist.Torch's would bring libtorch along.
/// </summary>
internal static class IdxImages
{
    private const float Mean = 0.1307f, Std = 0.3081f;

    public static (float[] Images, byte[] Labels) LoadTestSet(string folder)
    {
        var pixels = Read(Locate(folder, "t10k-images-idx3-ubyte"), 0x803, out var count, out var itemSize);
        var labels = Read(Locate(folder, "t10k-labels-idx1-ubyte"), 0x801, out var labelCount, out _);
        if (count != labelCount) throw new InvalidDataException($"{folder}: {count} test images but {labelCount} labels.");
        var images = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++) images[i] = (pixels[i] / 255f - Mean) / Std;
        if (itemSize != 28 * 28) throw new InvalidDataException($"{folder}: images of {itemSize} pixels; MNIST's have 784.");
        return (images, labels);
    }

    private static string Locate(string folder, string name)
    {
        foreach (var candidate in new[] { Path.Combine(folder, name), Path.Combine(folder, name + ".gz") })
            if (File.Exists(candidate)) return candidate;
        throw new FileNotFoundException($"{name} (raw or .gz) is not in {folder}: run ./build.sh fetch-data, or pass --mnist with the folder that holds it.");
    }

    /// <summary>The items of an IDX file: a big-endian magic number, one big-endian count per dimension, then bytes.</summary>
    private static byte[] Read(string path, int magic, out int count, out int itemSize)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        int BigEndian(int offset) => bytes.Length >= offset + 4 ? bytes[offset] << 24 | bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3]
            : throw new InvalidDataException($"{path} is truncated (header).");
        if (BigEndian(0) != magic) throw new InvalidDataException($"{path}: magic number {BigEndian(0):x} is not {magic:x}; is it the right IDX file?");
        var dimensions = magic & 0xff;
        count = BigEndian(4);
        itemSize = 1;
        for (var d = 1; d < dimensions; d++) itemSize *= BigEndian(4 + 4 * d);
        var start = 4 + 4 * dimensions;
        if (bytes.Length - start != (long)count * itemSize) throw new InvalidDataException($"{path}: {bytes.Length - start} data bytes for {count} items of {itemSize}.");
        return bytes.AsSpan(start).ToArray();
    }
}
