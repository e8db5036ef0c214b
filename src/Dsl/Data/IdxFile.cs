using System.IO;
using System.IO.Compression;

namespace Mnist.Dsl.Data;

/// <summary>
/// One file in the IDX format MNIST ships in: a big-endian magic number (two zero bytes, the element type,
/// the number of dimensions), one big-endian 32-bit size per dimension, then the elements in row-major
/// order. Only unsigned bytes (type 0x08) are read, which is what every MNIST file holds: labels have
/// magic 0x00000801 and images 0x00000803. Files may be gzipped; that is detected from the gzip magic
/// (1f 8b), not from the name, because downloads are renamed and decompressed inconsistently.
/// Every inconsistency (magic, dimension count, sizes against the file length) throws
/// <see cref="InvalidDataException"/> naming the file and what is wrong, before any tensor is made.
/// </summary>
public sealed class IdxFile
{
    public const byte UnsignedByteType = 0x08;
    public const int LabelsMagic = 0x00000801;
    public const int ImagesMagic = 0x00000803;

    /// <summary>The largest byte array .NET allocates (Array.MaxLength, which netstandard2.0 lacks).</summary>
    private const long MaxArrayLength = 0x7FFFFFC7;

    private IdxFile(string path, long[] shape, byte[] data)
    {
        Path = path;
        _shape = shape;
        Data = data;
    }

    private readonly long[] _shape;

    /// <summary>The file read, as it was given.</summary>
    public string Path { get; }

    /// <summary>The sizes of the dimensions: [count] for labels, [count, rows, columns] for images.</summary>
    public long[] Shape => (long[])_shape.Clone();

    /// <summary>The number of items: the first dimension.</summary>
    public long Count => _shape[0];

    /// <summary>The elements after the header, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Reads an images file: magic 0x00000803, sizes [count, rows, columns].</summary>
    public static IdxFile ReadImages(string path) => Read(path, 3);

    /// <summary>Reads a labels file: magic 0x00000801, size [count].</summary>
    public static IdxFile ReadLabels(string path) => Read(path, 1);

    /// <summary>Reads an images file and its labels file and checks that they hold as many items.</summary>
    public static (IdxFile Images, IdxFile Labels) ReadPair(string imagesPath, string labelsPath)
    {
        var images = ReadImages(imagesPath);
        var labels = ReadLabels(labelsPath);
        if (images.Count != labels.Count)
            throw new InvalidDataException(
                $"{labelsPath}: holds {N(labels.Count)} labels but {imagesPath} holds {N(images.Count)} images; "
                + "the two files must come from the same set (train-* with train-*, t10k-* with t10k-*).");
        return (images, labels);
    }

    /// <summary>Reads an unsigned-byte IDX file with the given number of dimensions (magic 0x0000080<i>d</i>).</summary>
    public static IdxFile Read(string path, int dimensions)
    {
        if (dimensions is < 1 or > 255) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "IDX files have 1 to 255 dimensions.");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var kind = KindOf(dimensions);
        if (file.Length == 0) throw Invalid(path, $"the file is empty (0 bytes); expected an IDX {kind} file (truncated or failed download?)");

        var first = new byte[2];
        var gzip = ReadFully(file, first) == 2 && first[0] == 0x1f && first[1] == 0x8b;
        file.Position = 0;
        try
        {
            if (!gzip) return Parse(path, file, file.Length, dimensions);
            using var decompressed = new GZipStream(file, CompressionMode.Decompress);
            return Parse(path, decompressed, null, dimensions);
        }
        catch (InvalidDataException e) when (gzip && !e.Message.StartsWith(path + ":", StringComparison.Ordinal))
        {
            // GZipStream's own message does not say which file it was decompressing.
            throw Invalid(path, $"the gzip data is corrupt ({e.Message})", e);
        }
    }

    // length: the byte length of the stream when known (raw files), to check the sizes before reading.
    private static IdxFile Parse(string path, Stream stream, long? length, int dimensions)
    {
        var kind = KindOf(dimensions);
        var expectedMagic = (UnsignedByteType << 8) | dimensions;
        var headerLength = 4 + 4 * dimensions;

        var magic = new byte[4];
        var read = ReadFully(stream, magic);
        if (read == 0) throw Invalid(path, $"the file decompresses to nothing; expected an IDX {kind} file");
        if (read < 4) throw Invalid(path, $"the file ends after {read} bytes, inside the 4-byte IDX magic number (truncated?)");
        var found = (int)BigEndian(magic, 0);
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByteType)
            throw Invalid(path, $"not an IDX {kind} file of unsigned bytes: the magic number is 0x{found:X8}, " +
                $"expected 0x{expectedMagic:X8} (corrupt, or not the file it is named after?)");
        if (magic[3] != dimensions)
            throw Invalid(path, $"has {magic[3]} dimension{(magic[3] == 1 ? "" : "s")} (magic 0x{found:X8}), " +
                $"but an IDX {kind} file has {dimensions} (magic 0x{expectedMagic:X8})"
                + (magic[3] is 1 or 3 ? $"; is it a {KindOf(magic[3])} file?" : ""));

        var header = new byte[4 * dimensions];
        read = ReadFully(stream, header);
        if (read < header.Length)
            throw Invalid(path, $"the header is truncated: an IDX file with {dimensions} dimensions has a {headerLength}-byte header, " +
                $"found {4 + read} bytes");
        var shape = new long[dimensions];
        long expected = 1;
        for (var i = 0; i < dimensions; i++)
        {
            shape[i] = BigEndian(header, 4 * i);
            // Each size is below 2^32 and the product stays below MaxArrayLength, so this cannot overflow.
            expected *= shape[i];
            if (expected > MaxArrayLength)
                throw Invalid(path, $"the header declares sizes [{string.Join(", ", shape.Take(i + 1).Select(N))}], " +
                    $"more than {N(MaxArrayLength)} bytes; the header is corrupt");
        }

        var what = dimensions switch { 1 => "labels", 3 => "pixels", _ => "data" };
        string SizeMismatch(long actual) =>
            $"expected {N(expected)} bytes of {what} after the header, " +
                $"found {N(actual)} (the header gives sizes [{string.Join(", ", shape.Select(N))}]; "
            + (actual < expected ? "truncated?)" : "trailing bytes: corrupt, or not the file it is named after?)");

        if (length is { } total && total - headerLength != expected) throw Invalid(path, SizeMismatch(total - headerLength));

        var data = ReadUpTo(stream, expected);
        if (data.Length < expected) throw Invalid(path, SizeMismatch(data.Length));
        var extra = CountRemaining(stream);
        if (extra > 0) throw Invalid(path, SizeMismatch(expected + extra));
        return new IdxFile(path, shape, data);
    }

    /// <summary>
    /// Reads until <paramref name="limit"/> bytes or the end. The buffer grows with what arrives, so a corrupt
    /// header in a gzipped file (whose length is unknown) cannot make us allocate gigabytes up front.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, long limit)
    {
        var buffer = new byte[Math.Min(limit, 1 << 20)];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled == limit) return buffer;
                Array.Resize(ref buffer, (int)Math.Min(limit, 2L * buffer.Length));
            }
            var n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                var result = new byte[filled];
                Array.Copy(buffer, result, filled);
                return result;
            }
            filled += n;
        }
    }

    /// <summary>Reads until the buffer is full or the stream ends; returns the count read.</summary>
    private static int ReadFully(Stream stream, byte[] buffer)
    {
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = stream.Read(buffer, filled, buffer.Length - filled)) > 0) filled += n;
        return filled;
    }

    private static uint BigEndian(byte[] bytes, int at) =>
        (uint)bytes[at] << 24 | (uint)bytes[at + 1] << 16 | (uint)bytes[at + 2] << 8 | bytes[at + 3];

    private static long CountRemaining(Stream stream)
    {
        var scratch = new byte[1 << 16];
        long count = 0;
        int n;
        while ((n = stream.Read(scratch, 0, scratch.Length)) > 0) count += n;
        return count;
    }

    private static string KindOf(int dimensions) => dimensions switch { 1 => "labels", 3 => "images", _ => $"{dimensions}-dimensional" };

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static InvalidDataException Invalid(string path, string what, Exception? inner = null) =>
        new($"{path}: {what}{(what.EndsWith("?", StringComparison.Ordinal) ? "" : ".")}", inner);
}
