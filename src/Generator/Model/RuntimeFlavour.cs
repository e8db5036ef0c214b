namespace Mnist.Dsl.Generator.Model;

/// <summary>Which TorchSharp-shaped API the compilation references; only the emitted using directives differ.</summary>
public enum RuntimeFlavour
{
    /// <summary>Mnist.Torch, this repository's binding over libtorch.</summary>
    MnistTorch,

    /// <summary>The real TorchSharp package.</summary>
    TorchSharp,

    /// <summary>Neither is referenced: only the summary and constants can be emitted.</summary>
    None,
}
