using System;
using System.IO;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>A new empty folder, deleted with its contents on Dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mnist-dsl-onnx-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
