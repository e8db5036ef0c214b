namespace Mnist.Dsl.Training.RunFolders;

/// <summary>
/// One run per folder: a run holds run.lock in its folder, opened exclusively (FileShare.None: an advisory flock on
/// Linux and macOS, a share lock on Windows) for as long as it trains. The operating system releases it when the
/// process ends, however it ends, so a killed run leaves no stale lock and --resume needs no cleanup. The holder's
/// process id goes to run.pid beside it (the locked file itself cannot be read by another process), for the refusal.
/// </summary>
internal sealed class RunLock : IDisposable
{
    private const string LockName = "run.lock", HolderName = "run.pid";

    private readonly FileStream _held;

    private RunLock(FileStream held) => _held = held;

    /// <summary>Creates the folder if needed and locks it; a folder another live process holds is refused in one line.</summary>
    public static RunLock Acquire(RunFolder run)
    {
        run.Create();
        var lockFile = Path.Combine(run.Path, LockName);
        FileStream stream;
        try
        {
            stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockFile))
        {
            throw new UserError(
                $"{run.Path} is in use by another run (process {Holder(run)}): wait for it to end, or stop it, or choose another --output.");
        }
        AtomicFile.WriteAllText(Path.Combine(run.Path, HolderName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new RunLock(stream);
    }

    private static string Holder(RunFolder run)
    {
        try
        {
            return File.ReadAllText(Path.Combine(run.Path, HolderName)).Trim();
        }
        catch (IOException)
        {
            return "id unknown"; // the holder has not written it yet
        }
    }

    public void Dispose() => _held.Dispose();
}
