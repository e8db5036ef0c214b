namespace Mnist.Dsl.Training.RunFolders;

/// <summary>
/// A file of the run folder could not be written (disk full, permission denied, the folder removed): every file is
/// replaced atomically and the checkpoint is written last, so what the folder held before is still whole, and the
/// checkpoint still ends the previous epoch. Exit code <see cref="ExitCodes.WriteFailed"/>.
/// </summary>
internal sealed class RunFolderWriteFailed(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>Runs the writes of one save; a failed one becomes one line saying what the folder still holds.</summary>
    public static void Guard(RunFolder run, int completedEpochs, string saving, Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var holds = completedEpochs == 0 ? "no completed epoch yet (start the run again)"
                : $"epoch {completedEpochs} whole: its checkpoint and weights load, and --resume continues from it once the folder is writable";
            throw new RunFolderWriteFailed(
                $"could not write {saving} to {run.Path}: {e.Message.ReplaceLineEndings(" ")}. The folder still holds {holds}.", e);
        }
    }
}
