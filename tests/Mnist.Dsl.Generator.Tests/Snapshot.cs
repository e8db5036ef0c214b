using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// Snapshot testing (Verify is not served here): the accepted text lives in Snapshots/NAME.verified.cs next
/// to the tests. A difference writes NAME.received.cs beside it and fails with a line diff; run the tests with
/// MNIST_DSL_ACCEPT_SNAPSHOTS=1 to accept the received text as the new verified one.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "MNIST_DSL_ACCEPT_SNAPSHOTS";

    public static void Verify(string name, string actual, [CallerFilePath] string testFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        actual = actual.ReplaceLineEndings("\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).ReplaceLineEndings("\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        throw new XunitException(expected is null
            ? $"No verified snapshot {verified}. Review {received} and accept it with {AcceptVariable}=1."
            : $"Snapshot {name} differs from {verified} (received: {received}; accept with {AcceptVariable}=1):\n{Diff(expected, actual)}");
    }

    private static string Diff(string expected, string actual)
    {
        var text = new StringBuilder();
        foreach (var line in new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual).Lines)
        {
            var prefix = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            if (line.Type != ChangeType.Unchanged) text.Append(line.Position?.ToString() ?? "").Append(": ").Append(prefix).AppendLine(line.Text);
        }
        return text.ToString();
    }
}
