using System;

namespace Mnist.Torch;

/// <summary>An error raised inside libtorch, carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    /// <summary>The error the shim recorded for this thread's last failed call.</summary>
    internal static TorchException Last() => new(NativeMethods.LastError());
}

/// <summary>The native library or libtorch itself could not be loaded; the message says what to install.</summary>
public sealed class TorchNotInstalledException : DllNotFoundException
{
    public TorchNotInstalledException(string message) : base(message) { }
}
