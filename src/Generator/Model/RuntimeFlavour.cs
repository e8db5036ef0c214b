namespace Mnist.Dsl.Generator.Model;

/// <summary>Whether the compilation references TorchSharp, which the module code is written against.</summary>
public enum RuntimeFlavour
{
    /// <summary>The TorchSharp package.</summary>
    TorchSharp,

    /// <summary>Neither is referenced: only the summary and constants can be emitted.</summary>
    None,
}
