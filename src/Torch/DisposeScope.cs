using System;
using System.Collections.Generic;

namespace Mnist.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost open scope and disposes them
/// with the scope, so a training step does not leave native memory to the finalizer (TorchSharp #1278).
/// A tensor that must outlive the scope is moved out with <see cref="torch.Tensor.MoveToOuterDisposeScope"/>
/// or detached with <see cref="torch.Tensor.DetachFromDisposeScope"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<torch.Tensor> tensors = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? outer;
    private bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>The number of tensors this scope will dispose.</summary>
    public int Count => tensors.Count;

    internal void Add(torch.Tensor tensor) => tensors.Add(tensor);

    internal bool Remove(torch.Tensor tensor) => tensors.Remove(tensor);

    internal void MoveToOuter(torch.Tensor tensor)
    {
        if (tensors.Remove(tensor)) outer?.Add(tensor);
    }

    /// <summary>Moves the given tensors to the enclosing scope (or out of all scopes) and disposes the rest.</summary>
    public void DisposeEverythingBut(params torch.Tensor[] keep)
    {
        foreach (var tensor in keep) MoveToOuter(tensor);
        Dispose();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var tensor in tensors) tensor.DisposeWithoutScope();
        tensors.Clear();
        // Scopes nest strictly on one thread (using blocks), so this is the innermost one.
        if (ReferenceEquals(current, this)) current = outer;
    }
}

public static partial class torch
{
    /// <summary>Opens a scope on this thread; tensors created until it is disposed are disposed with it.</summary>
    public static DisposeScope NewDisposeScope() => new();
}
