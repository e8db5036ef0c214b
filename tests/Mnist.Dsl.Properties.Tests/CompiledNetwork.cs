using Mnist.Dsl.Testing;
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Analysis;
using TorchSharp;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// A declaration compiled with its generated code into an assembly and loaded, as a user's build would run it.
/// Each gets its own collectible load context, unloaded on Dispose, in which TorchSharp and Mnist.Dsl are the
/// test's own already-loaded copies (the default context's; Mnist.Dsl.Engine too): TorchSharp.dll is loaded once, so its static state
/// (the native libraries it loaded, the default generator, dispose scopes) is the test's, and the generated
/// class's Summary and module are the very types the test compares them as. A second TorchSharp.dll would be
/// other types: the cast to torch.nn.Module would fail, and it would initialise libtorch a second time.
/// </summary>
internal sealed class CompiledNetwork : IDisposable
{
    private readonly SharedRuntimeContext context;

    private CompiledNetwork(SharedRuntimeContext context, Type type, string generatedSource)
    {
        this.context = context;
        Type = type;
        GeneratedSource = generatedSource;
    }

    public Type Type { get; }

    public string GeneratedSource { get; }

    /// <summary>Runs the generator on the source (no analyzer: other tests check its diagnostics), emits and loads the result.</summary>
    // withEngine: reference Mnist.Dsl.Engine too, so that the generator emits the network's trainer; withInference: what the
    // inference class needs beyond the lean references (Parallel.For, and the System.Memory facade for the interface's spans).
    public static CompiledNetwork Compile(string source, string typeName, bool withEngine = false, bool withInference = false)
    {
        var compilation = CompilationFactory.CreateLean(source);
        if (withEngine) compilation = compilation.AddReferences(EngineReference.Value);
        if (withInference) compilation = compilation.AddReferences(InferenceReferences.Value);
        GeneratorHarness.NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var generated = string.Join("\n", output.SyntaxTrees.Skip(1).Select(t => t.ToString()));
        if (!generatorDiagnostics.IsEmpty) throw new InvalidOperationException("the generator reported:\n" + string.Join("\n", generatorDiagnostics) + "\n" + generated);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        if (!emitted.Success)
            throw new InvalidOperationException("the declaration and its generated code do not compile:\n" +
                string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)) + "\n" + generated);
        image.Position = 0;
        var context = new SharedRuntimeContext();
        try
        {
            var type = context.LoadFromStream(image).GetType(typeName, throwOnError: true)!;
            return new CompiledNetwork(context, type, generated);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    private static readonly Lazy<MetadataReference[]> InferenceReferences = new(() =>
        CompilationFactory.Create("").References
            .Where(r => System.IO.Path.GetFileName(r.Display) is "System.Threading.Tasks.Parallel.dll" or "System.Memory.dll")
            .DistinctBy(r => System.IO.Path.GetFileName(r.Display))
            .ToArray());

    private static readonly Lazy<MetadataReference> EngineReference = new(() => MetadataReference.CreateFromFile(typeof(Engine.Trainers.ITrainer).Assembly.Location));

    /// <summary>The generated trainer's factory (the nested Trainer class's Create), or null when none was generated.</summary>
    public Func<Engine.Trainers.TrainerOptions, Engine.Trainers.ITrainer>? TrainerFactory =>
        Type.GetNestedType("Trainer")?.GetMethod("Create") is { } create
            ? options => (Engine.Trainers.ITrainer)create.Invoke(null, [options])!
            : null;

    public T Constant<T>(string name) =>
        Type.GetField(name, BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? (T)field.GetRawConstantValue()!
            : throw new InvalidOperationException($"{Type} has no public constant {name}:\n{GeneratedSource}");

    public T Static<T>(string name) =>
        (T)(Type.GetProperty(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{Type} has no public static {name}:\n{GeneratedSource}")).GetValue(null)!;

    public NetworkSummary Summary => Static<NetworkSummary>(nameof(Summary));

    public NetworkDefinition Definition => Static<NetworkDefinition>(nameof(Definition));

    /// <summary>A new instance through the generated parameterless constructor.</summary>
    public torch.nn.Module<torch.Tensor, torch.Tensor> CreateModule()
    {
        var instance = Activator.CreateInstance(Type)!;
        if (instance is torch.nn.Module<torch.Tensor, torch.Tensor> module) return module;
        (instance as IDisposable)?.Dispose();
        var baseAssembly = Type.BaseType?.Assembly;
        throw new InvalidOperationException($"{Type} derives from {Type.BaseType} of {baseAssembly?.Location} in load context " +
            $"'{(baseAssembly is null ? null : AssemblyLoadContext.GetLoadContext(baseAssembly)?.Name)}', not from the test's TorchSharp ({typeof(torch).Assembly.Location}): TorchSharp was loaded twice");
    }

    public void Dispose() => context.Unload();

    private sealed class SharedRuntimeContext() : AssemblyLoadContext("CompiledNetwork", isCollectible: true)
    {
        private static readonly Assembly Torch = typeof(torch).Assembly;
        private static readonly Assembly Dsl = typeof(NetworkAttribute).Assembly;
        private static readonly Assembly Engine = typeof(Mnist.Dsl.Engine.Trainers.ITrainer).Assembly;

        protected override Assembly? Load(AssemblyName name) =>
            name.Name == Torch.GetName().Name ? Torch : name.Name == Dsl.GetName().Name ? Dsl : name.Name == Engine.GetName().Name ? Engine : null;
    }
}
