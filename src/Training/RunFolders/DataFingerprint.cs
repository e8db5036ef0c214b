using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Mnist.Dsl.Data;

namespace Mnist.Dsl.Training.RunFolders;

/// <summary>
/// The MNIST files a run trains and tests on, as their content's size and SHA-256 (of the IDX bytes: a .gz is hashed
/// inflated, so the same data raw or gzipped is the same data), computed once per run (about 0.2 s for the 55 MB).
/// A new run writes it to data.json in its folder, beside settings.json; --resume with other files is refused, as
/// options that disagree with settings.json are: the run's numbers would silently mix two data sets.
/// </summary>
internal sealed record DataFingerprint(IReadOnlyDictionary<string, FileFingerprint> Files)
{
    public const string FileName = "data.json";

    public static DataFingerprint Of(string dataFolder)
    {
        var files = MnistFiles.Locate(dataFolder);
        var paths = new[] { files.TrainImages, files.TrainLabels, files.TestImages, files.TestLabels };
        return new DataFingerprint(MnistFiles.Names.Zip(paths).ToDictionary(p => p.First, p => FileFingerprint.Of(p.Second)));
    }

    public string ToJson() => JsonSerializer.Serialize(Files.ToDictionary(f => f.Key, f => new { bytes = f.Value.Bytes, sha256 = f.Value.Sha256 }),
        new JsonSerializerOptions { WriteIndented = true }) + "\n";

    public static DataFingerprint FromJson(string json, string path)
    {
        try
        {
            var root = JsonDocument.Parse(json).RootElement;
            return new DataFingerprint(MnistFiles.Names.ToDictionary(name => name, name =>
                new FileFingerprint(root.GetProperty(name).GetProperty("bytes").GetInt64(),
                    root.GetProperty(name).GetProperty("sha256").GetString()!)));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}): it should list the MNIST files' bytes and sha256.");
        }
    }

    /// <summary>Records the data of a new run; on --resume, refuses data other than the run's (a run from before data.json: records it).</summary>
    public static void Check(RunFolder run, string dataFolder, bool resume)
    {
        var now = Of(dataFolder);
        var path = Path.Combine(run.Path, FileName);
        if (resume && File.Exists(path))
        {
            var saved = FromJson(File.ReadAllText(path), path);
            var changed = MnistFiles.Names.Where(name => saved.Files[name] != now.Files[name]).ToList();
            if (changed.Count > 0)
                throw new UserError(
                    $"cannot resume {run.Path} on other data: " +
                    $"{string.Join("; ", changed.Select(name => $"{name} is {now.Files[name]} in {dataFolder}, {saved.Files[name]} in the run"))}. " +
                    $"Pass the run's --data, or start a new run.");
            return;
        }
        run.Write(path, now.ToJson());
    }
}

/// <summary>One IDX file's content: its size in bytes and its SHA-256, in hex.</summary>
internal sealed record FileFingerprint(long Bytes, string Sha256)
{
    public static FileFingerprint Of(string path)
    {
        using var file = File.OpenRead(path);
        using var content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress)
            : (Stream)file;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long bytes = 0;
        for (int read; (read = content.Read(buffer)) > 0; bytes += read) sha.AppendData(buffer, 0, read);
        return new FileFingerprint(bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:N0} bytes, sha256 {1}", Bytes, Sha256[..12]);
}
