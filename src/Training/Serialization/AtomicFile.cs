namespace Mnist.Dsl.Training.Serialization;

/// <summary>
/// Writes a file so that readers see either the old content or the whole new content, never a part:
/// the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            // ReadWrite: some writers (OpenXml's zip package) read back what they wrote.
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Deletes the temporaries of <paramref name="path"/> that a killed process left (the finally above never ran).
    /// The file itself is untouched: it is the last whole version.
    /// </summary>
    public static int DeleteLeftovers(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) return 0;
        var leftovers = Directory.GetFiles(folder, $".{Path.GetFileName(full)}.*{TemporarySuffix}");
        foreach (var leftover in leftovers) File.Delete(leftover);
        return leftovers.Length;
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(text);
        });
}
