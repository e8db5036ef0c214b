using System.IO;

namespace Mnist.Dsl.Registry;

/// <summary>
/// What one registry entry is made of, set by name (as System.Text.Json's generated code fills JsonObjectInfoValues):
/// the generated registry writes one per [Network] class, Mnist.Dsl.Training's DefinedNetwork one per network declared
/// as data. <see cref="RegisteredNetwork.Create(NetworkRegistration)"/> checks it and makes the entry; a trainer factory,
/// typed by the engine's options and trainer, is the second argument of its generic overload.
/// </summary>
public sealed class NetworkRegistration
{
    /// <summary>The name to find it by: [Network(Name = ...)], else the class's name. Required.</summary>
    public string Name { get; init; } = "";

    /// <summary>The name with its namespace and enclosing types (Nets.Outer.Net). Required.</summary>
    public string FullName { get; init; } = "";

    /// <summary>The [Network] class (or, for a network declared as data, the type that registered it). Required.</summary>
    public Type? Type { get; init; }

    /// <summary>The declaration as data. Required.</summary>
    public NetworkDefinition? Definition { get; init; }

    /// <summary>The compile-time summary of <see cref="Definition"/>. Required.</summary>
    public NetworkSummary? Summary { get; init; }

    /// <summary>[Network(Description = ...)]; empty when not declared.</summary>
    public string Description { get; init; } = "";

    /// <summary>A new, untrained module; null when the assembly references no torch runtime.</summary>
    public Func<object>? CreateModule { get; init; }

    /// <summary>The inference class with the weights of a safetensors stream (the stream, its name for errors); null
    /// when none was generated.</summary>
    public Func<Stream, string, INetworkInference>? LoadInference { get; init; }

    /// <summary>Why there is no trainer on the engine although the engine is there (a layer it cannot train); null otherwise.</summary>
    public string? NoTrainerReason { get; init; }
}

/// <summary>
/// A registered network's trainer factory: the engine's options in, its trainer out. Mnist.Dsl cannot name the engine's
/// types, so they are the type arguments (TrainerOptions, ITrainer), which the generated registry and the engine's
/// <c>network.CreateTrainer(options)</c> both spell out.
/// </summary>
public delegate TTrainer TrainerFactory<in TOptions, out TTrainer>(TOptions options) where TTrainer : class;
