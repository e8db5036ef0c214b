using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Mnist.Dsl.Tests.Data;

/// <summary>Small IDX files written by hand for the data tests, in a temporary folder deleted on dispose.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles() => Folder = Directory.CreateTempSubdirectory("mnist-idx-").FullName;

    public string Folder { get; }

    /// <summary>The bytes of an unsigned-byte IDX file: magic 0x0000080d, big-endian sizes, then the data.</summary>
    public static byte[] Idx(long[] shape, byte[] data, int? magic = null)
    {
        var header = new byte[4 + 4 * shape.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic ?? (0x0800 | shape.Length));
        for (var i = 0; i < shape.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), checked((uint)shape[i]));
        return header.Concat(data).ToArray();
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        return buffer.ToArray();
    }

    /// <summary>Images [count, rows, columns] whose pixel values encode their position, so order is checkable.</summary>
    public static byte[] Pixels(int count, int rows = 28, int columns = 28) =>
        Enumerable.Range(0, count * rows * columns).Select(i => (byte)(i * 7 % 251)).ToArray();

    public static byte[] Digits(int count) => Enumerable.Range(0, count).Select(i => (byte)(i * 3 % 10)).ToArray();

    public string Write(string relativePath, byte[] bytes)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteImages(string relativePath, int count, bool gzip = false, int rows = 28, int columns = 28)
    {
        var raw = Idx(new long[] { count, rows, columns }, Pixels(count, rows, columns));
        return Write(relativePath, gzip ? Gzip(raw) : raw);
    }

    public string WriteLabels(string relativePath, int count, bool gzip = false)
    {
        var raw = Idx(new long[] { count }, Digits(count));
        return Write(relativePath, gzip ? Gzip(raw) : raw);
    }

    /// <summary>All four MNIST files (small) under <paramref name="subfolder"/>.</summary>
    public void WriteMnist(string subfolder = "", int train = 5, int test = 3, bool gzip = false)
    {
        var gz = gzip ? ".gz" : "";
        WriteImages(Path.Combine(subfolder, "train-images-idx3-ubyte" + gz), train, gzip);
        WriteLabels(Path.Combine(subfolder, "train-labels-idx1-ubyte" + gz), train, gzip);
        WriteImages(Path.Combine(subfolder, "t10k-images-idx3-ubyte" + gz), test, gzip);
        WriteLabels(Path.Combine(subfolder, "t10k-labels-idx1-ubyte" + gz), test, gzip);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a test over.
        }
    }
}
