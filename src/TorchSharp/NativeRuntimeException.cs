namespace Mnist.Dsl.Torch;

/// <summary>
/// TorchSharp's native libraries cannot be loaded here. The message is one line naming what is missing and the
/// command that fixes it, for a program to print as it is; TorchSharp's own exception, with its load trace, is
/// the inner exception.
/// </summary>
public sealed class NativeRuntimeException(string message, Exception inner) : Exception(message, inner);
