using System.IO;

namespace Mnist.Dsl.Registry;

/// <summary>
/// One [Network] class as the generated registry lists it: its names and type, its definition and compile-time
/// summary, a factory for its module (when the assembly references a torch runtime) and a loader for its
/// inference class (when one was generated), and a trainer factory (when the engine can train it). Made by
/// <see cref="Create(NetworkRegistration)"/> from a <see cref="NetworkRegistration"/>. Mnist.Dsl cannot reference TorchSharp,
/// so the module comes as an object: <c>network.CreateModule&lt;torch.nn.Module&lt;Tensor, Tensor&gt;&gt;()</c> casts it.
/// </summary>
public sealed class RegisteredNetwork
{
    private readonly Func<object>? _createModule;
    private readonly Func<Stream, string, INetworkInference>? _loadInference;
    private readonly Delegate? _createTrainer;

    private RegisteredNetwork(NetworkRegistration registration, Delegate? createTrainer)
    {
        if (registration is null) throw new ArgumentNullException(nameof(registration));
        string Missing(string property) =>
            $"{nameof(NetworkRegistration)}.{property} is required (registering " +
                $"{(string.IsNullOrEmpty(registration.FullName) ? registration.Name : registration.FullName)}).";
        if (string.IsNullOrEmpty(registration.Name)) throw new ArgumentException(Missing(nameof(NetworkRegistration.Name)), nameof(registration));
        if (string.IsNullOrEmpty(registration.FullName))
            throw new ArgumentException(Missing(nameof(NetworkRegistration.FullName)), nameof(registration));
        Type = registration.Type ?? throw new ArgumentException(Missing(nameof(NetworkRegistration.Type)), nameof(registration));
        Definition = registration.Definition ?? throw new ArgumentException(Missing(nameof(NetworkRegistration.Definition)), nameof(registration));
        Summary = registration.Summary ?? throw new ArgumentException(Missing(nameof(NetworkRegistration.Summary)), nameof(registration));
        Name = registration.Name;
        FullName = registration.FullName;
        Description = registration.Description ?? "";
        _createModule = registration.CreateModule;
        _loadInference = registration.LoadInference;
        _createTrainer = createTrainer;
        NoTrainerReason = createTrainer is null ? registration.NoTrainerReason : null;
    }

    /// <summary>The entry of a network without a trainer on the engine (the generated registry's call when the project
    /// does not reference the engine).</summary>
    public static RegisteredNetwork Create(NetworkRegistration registration) => new(registration, null);

    /// <summary>
    /// The entry of a network with a trainer on the engine: <paramref name="createTrainer"/> is typed by the engine's
    /// options and trainer (<c>Create&lt;TrainerOptions, ITrainer&gt;(registration, Net.Trainer.Create)</c>), which
    /// <see cref="CreateTrainer{TOptions, TTrainer}(TOptions)"/> asks for by the same types.
    /// </summary>
    public static RegisteredNetwork Create<TOptions, TTrainer>(NetworkRegistration registration,
        TrainerFactory<TOptions, TTrainer> createTrainer) where TTrainer : class =>
        new(registration, createTrainer ?? throw new ArgumentNullException(nameof(createTrainer)));

    /// <summary>
    /// The name to find it by: [Network(Name = "default")], else the class's name (Net). A declared name is unique in
    /// its assembly ignoring case (the analyzer's MNIST0018); two classes of one name in different namespaces can share theirs.
    /// </summary>
    public string Name { get; }

    /// <summary>[Network(Description = ...)]: one line that says what the network is; empty when not declared.</summary>
    public string Description { get; }

    /// <summary>The name with its namespace and enclosing types (Nets.Outer.Net): unique in an assembly.</summary>
    public string FullName { get; }

    public Type Type { get; }

    public NetworkDefinition Definition { get; }

    public NetworkSummary Summary { get; }

    /// <summary>The assembly references a torch runtime, so the class is a module <see cref="CreateModule"/> can make.</summary>
    public bool HasModule => _createModule is not null;

    /// <summary>The generator emitted the network's inference class, so <see cref="LoadInference(string)"/> works.</summary>
    public bool HasInference => _loadInference is not null;

    /// <summary>A new, untrained instance of the module.</summary>
    public object CreateModule() =>
        (_createModule ?? throw new InvalidOperationException(
            $"{FullName} has no module: its assembly references no torch runtime (TorchSharp), " +
            $"so only its definition and summary were generated."))();

    /// <summary>A new module as the runtime's module type, e.g. <c>CreateModule&lt;torch.nn.Module&lt;Tensor, Tensor&gt;&gt;()</c>.</summary>
    public T CreateModule<T>() where T : class =>
        CreateModule() as T ?? throw new InvalidCastException($"{FullName}'s module is a {Type.FullName}, not a {typeof(T).FullName}.");

    /// <summary>The inference class with the weights of a safetensors file (the trainer's best.safetensors).</summary>
    public INetworkInference LoadInference(string path)
    {
        using var stream = File.OpenRead(path);
        return LoadInference(stream, path);
    }

    /// <summary>
    /// The inference class with the weights of a safetensors file; a file that does not fit this network but fits
    /// another of <paramref name="known"/> (the registry it was found in) is refused with a message that names that
    /// network (<see cref="WeightsFit"/>) instead of the first tensor that differs.
    /// </summary>
    public INetworkInference LoadInference(string path, IEnumerable<RegisteredNetwork> known)
    {
        try
        {
            return LoadInference(path);
        }
        catch (InvalidDataException e) when (OtherNetworkMessage(path, known) is { } message)
        {
            throw new InvalidDataException(message, e);
        }
    }

    /// <summary>Only on the failure path: reads the file's header again (a damaged one gives no hint, its own error stands).</summary>
    private string? OtherNetworkMessage(string path, IEnumerable<RegisteredNetwork> known)
    {
        try
        {
            return WeightsFit.OtherNetworkMessage(path, this, SafeTensorsWeights.Read(path).Shapes, known);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The inference class with the weights of a safetensors stream; <paramref name="source"/> names it in errors.</summary>
    public INetworkInference LoadInference(Stream stream, string source) =>
        (_loadInference ?? throw new InvalidOperationException(
            $"{FullName} has no inference class: the generator emits one only for projects on .NET 7 or later, " +
            $"when no type of that name exists and the network's sizes fit its kernels."))(stream, source);

    /// <summary>
    /// The network has a trainer on the plain-C# engine, so the engine's <c>network.CreateTrainer(options)</c> works: for
    /// a [Network] class, the generator emitted it (the assembly references Mnist.Dsl.Engine and the engine can train
    /// every layer of the stack); for a network declared at run time (Mnist.Dsl.Training's DefinedNetwork.Register), the
    /// engine composes it from the same lowering (Mnist.Dsl.Lowering.EngineLowering).
    /// </summary>
    public bool HasTrainer => _createTrainer is not null;

    /// <summary>
    /// A new trainer on the plain-C# engine. Mnist.Dsl cannot reference the engine, so its types are the type arguments;
    /// the engine's extension <c>network.CreateTrainer(new TrainerOptions(...))</c> is the door to use (there is
    /// deliberately no non-generic instance method: it would hide that extension).
    /// </summary>
    public TTrainer CreateTrainer<TOptions, TTrainer>(TOptions options) where TTrainer : class
    {
        var create = _createTrainer ?? throw new InvalidOperationException($"{FullName} has no trainer on the engine: " + (NoTrainerReason
            ?? "the generator emits one only when the project references Mnist.Dsl.Engine (add a ProjectReference or PackageReference to it)."));
        return create is TrainerFactory<TOptions, TTrainer> typed
            ? typed(options)
            : throw new InvalidCastException(
                $"{FullName}'s trainer factory is a {create.GetType().Name}, " +
                $"not a factory of {typeof(TTrainer).FullName} from {typeof(TOptions).FullName}.");
    }

    /// <summary>Why the network has no trainer although the engine is there (a layer it cannot train:
    /// EngineLowering.Unsupported); null otherwise.</summary>
    public string? NoTrainerReason { get; }

    public override string ToString() => FullName;
}
