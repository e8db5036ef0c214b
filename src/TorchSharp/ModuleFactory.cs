namespace Mnist.Dsl.Torch;

/// <summary>The TorchSharp side of a registered network.</summary>
internal static class ModuleFactory
{
    /// <summary>A new, untrained module of the network.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> Create(this RegisteredNetwork network) =>
        network.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>();
}
