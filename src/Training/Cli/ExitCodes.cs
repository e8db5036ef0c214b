namespace Mnist.Dsl.Training.Cli;

/// <summary>The trainer's exit codes (docs/trainer.md lists them).</summary>
internal static class ExitCodes
{
    public const int Done = 0;

    /// <summary>A mistake in the command or its files (one line on stderr), a run folder in use, different data on --resume.</summary>
    public const int Mistake = 2;

    /// <summary>The loss became NaN or infinite (<see cref="TrainingDiverged"/>).</summary>
    public const int Diverged = 3;

    /// <summary>A file of the run folder could not be written (disk full, permission, folder removed): <see cref="RunFolderWriteFailed"/>.</summary>
    public const int WriteFailed = 4;

    /// <summary>Stopped by Ctrl-C, SIGTERM or --stop-after; --resume continues.</summary>
    public const int Stopped = 130;
}
