using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Training.Backends;

/// <summary>A backend that can build the module of a network declared as data (the TorchSharp package's DefinedModule).</summary>
internal interface IModuleFactory
{
    object CreateModule(NetworkDefinition definition);
}
