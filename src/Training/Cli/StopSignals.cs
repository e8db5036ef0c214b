using System.Runtime.InteropServices;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (what docker stop, Kubernetes and systemd send) both ask a run to stop at the next batch
/// boundary: the token is cancelled, the trainer saves what it holds and the command exits 130. A second signal of
/// either kind is not intercepted: the process ends as the signal's default says.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _terminate;

    public StopSignals()
    {
        Console.CancelKeyPress += OnCancelKey;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Stops as a signal would (--stop-after).</summary>
    public void Request() => _stop.Cancel();

    private void OnCancelKey(object? sender, ConsoleCancelEventArgs e) => e.Cancel = First("Ctrl-C");

    private void OnTerminate(PosixSignalContext context) => context.Cancel = First("SIGTERM");

    /// <summary>True (keep running, to stop at the batch boundary) for the first signal; false lets a second one kill.</summary>
    private bool First(string signal)
    {
        if (_stop.IsCancellationRequested) return false;
        _stop.Cancel();
        Console.Error.WriteLine($"{signal}: stopping after this batch and saving it ({signal} again to kill)...");
        return true;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKey;
        _terminate.Dispose();
        _stop.Dispose();
    }
}
