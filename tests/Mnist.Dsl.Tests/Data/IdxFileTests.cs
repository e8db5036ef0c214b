using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Data;
using Xunit;
using static Mnist.Dsl.Tests.Data.IdxTestFiles;

namespace Mnist.Dsl.Tests.Data;

/// <summary>The IDX reader reads good files, raw or gzipped, and names the file and the fault in every bad one.</summary>
public class IdxFileTests
{
    [Fact]
    public void Reads_the_sizes_and_the_pixels_of_an_images_file_in_file_order()
    {
        using var files = new IdxTestFiles();
        var pixels = Pixels(3, 4, 5);
        var path = files.Write("images", Idx(new long[] { 3, 4, 5 }, pixels));

        var idx = IdxFile.ReadImages(path);

        Assert.Equal(new long[] { 3, 4, 5 }, idx.Shape);
        Assert.Equal(3, idx.Count);
        Assert.Equal(pixels, idx.Data);
        Assert.Equal(path, idx.Path);
    }

    [Fact]
    public void Reads_a_labels_file()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("labels", Idx(new long[] { 6 }, new byte[] { 5, 0, 4, 1, 9, 2 }));

        var idx = IdxFile.ReadLabels(path);

        Assert.Equal(new long[] { 6 }, idx.Shape);
        Assert.Equal(new byte[] { 5, 0, 4, 1, 9, 2 }, idx.Data);
    }

    [Theory]
    [InlineData("images.gz")]
    [InlineData("images")] // gzip is recognised by its magic bytes, not by the name
    public void A_gzipped_file_reads_the_same_as_the_raw_one(string name)
    {
        using var files = new IdxTestFiles();
        var raw = Idx(new long[] { 2, 28, 28 }, Pixels(2));
        var gz = files.Write(name, Gzip(raw));
        var plain = files.Write("plain-named.gz", raw); // and a raw file is read raw whatever its name

        Assert.Equal(IdxFile.ReadImages(plain).Data, IdxFile.ReadImages(gz).Data);
        Assert.Equal(raw.Skip(16), IdxFile.ReadImages(gz).Data);
    }

    [Fact]
    public void Truncated_pixels_say_how_many_bytes_were_expected_and_found()
    {
        using var files = new IdxTestFiles();
        var full = Idx(new long[] { 10, 28, 28 }, Pixels(10));
        var path = files.Write("t10k-images-idx3-ubyte", full.Take(16 + 1000).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ": expected 7,840 bytes of pixels after the header, found 1,000", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_an_error_too()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("labels", Idx(new long[] { 4 }, new byte[] { 1, 2, 3, 4, 5, 6 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.StartsWith(path + ": expected 4 bytes of labels after the header, found 6", e.Message);
    }

    [Fact]
    public void A_truncated_gzipped_file_is_reported_with_its_name()
    {
        using var files = new IdxTestFiles();
        var gz = Gzip(Idx(new long[] { 20, 28, 28 }, Pixels(20)));
        var path = files.Write("images.gz", gz.Take(gz.Length / 2).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void Truncated_pixels_inside_a_gzipped_file_are_counted_after_decompression()
    {
        using var files = new IdxTestFiles();
        var raw = Idx(new long[] { 10, 28, 28 }, Pixels(10));
        var path = files.Write("images.gz", Gzip(raw.Take(16 + 1000).ToArray()));

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ": expected 7,840 bytes of pixels after the header, found 1,000", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_data_is_reported_with_its_name()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("images.gz", new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0x13, 0x37, 0, 1, 2 });

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void A_wrong_magic_number_is_named_with_the_expected_one()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("images", Idx(new long[] { 1, 28, 28 }, Pixels(1), magic: 0x12345678));

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("magic number is 0x12345678, expected 0x00000803", e.Message);
    }

    [Fact]
    public void Another_element_type_than_unsigned_bytes_is_refused()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("labels", Idx(new long[] { 4 }, new byte[16], magic: 0x00000D01)); // 4 floats

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.Contains("0x00000D01, expected 0x00000801", e.Message);
    }

    [Fact]
    public void A_labels_file_given_as_images_is_caught_by_its_dimension_count()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("t10k-images-idx3-ubyte", Idx(new long[] { 10 }, Digits(10)));

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Equal($"{path}: has 1 dimension (magic 0x00000801), but an IDX images file has 3 (magic 0x00000803); is it a labels file?", e.Message);
    }

    [Fact]
    public void A_wrong_dimension_count_is_refused()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("images", Idx(new long[] { 2, 28 * 28 }, Pixels(2)));

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains("has 2 dimensions (magic 0x00000802), but an IDX images file has 3", e.Message);
    }

    [Fact]
    public void An_empty_file_is_called_empty()
    {
        using var files = new IdxTestFiles();
        var path = files.Write("train-labels-idx1-ubyte", Array.Empty<byte>());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));

        Assert.StartsWith(path + ": the file is empty", e.Message);
    }

    [Theory]
    [InlineData(2)]  // inside the magic number
    [InlineData(10)] // inside the sizes
    public void A_truncated_header_is_reported(int length)
    {
        using var files = new IdxTestFiles();
        var path = files.Write("images", Idx(new long[] { 1, 28, 28 }, Pixels(1)).Take(length).ToArray());

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(length < 4 ? "inside the 4-byte IDX magic number" : "the header is truncated: an IDX file with 3 dimensions has a 16-byte header, found 10 bytes", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Impossible_sizes_in_a_corrupt_header_fail_without_allocating_them(bool gzip)
    {
        using var files = new IdxTestFiles();
        var raw = Idx(new long[] { uint.MaxValue, 28, 28 }, Pixels(1));
        var path = files.Write("images", gzip ? Gzip(raw) : raw);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path));

        Assert.Contains("the header is corrupt", e.Message);
    }

    [Fact]
    public void A_pair_with_different_counts_names_both_files_and_both_counts()
    {
        using var files = new IdxTestFiles();
        var images = files.WriteImages("t10k-images-idx3-ubyte", 3);
        var labels = files.WriteLabels("t10k-labels-idx1-ubyte", 4);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadPair(images, labels));

        Assert.Contains(labels, e.Message);
        Assert.Contains(images, e.Message);
        Assert.Contains("holds 4 labels but", e.Message);
        Assert.Contains("holds 3 images", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_FileNotFoundException()
    {
        using var files = new IdxTestFiles();
        var path = Path.Combine(files.Folder, "absent");

        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.ReadLabels(path));

        Assert.Equal(path, e.FileName);
    }
}
