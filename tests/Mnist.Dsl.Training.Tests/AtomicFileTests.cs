using System;
using System.IO;
using Xunit;

using Mnist.Dsl.Training.Serialization;

namespace Mnist.Dsl.Training.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mnist-atomic-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary()
    {
        var path = Path.Combine(_folder, "out.txt");
        AtomicFile.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte((byte)'n');
            throw new InvalidOperationException("disk full, say");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_write_replaces_the_file()
    {
        var path = Path.Combine(_folder, "sub", "out.txt");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");

        Assert.Equal("second", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
