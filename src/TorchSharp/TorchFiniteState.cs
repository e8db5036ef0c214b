namespace Mnist.Dsl.Torch;

/// <summary>The torch run's end-of-epoch finiteness check: the first floating tensor of the state dict that holds NaN or infinity.</summary>
internal static class TorchFiniteState
{
    public static (string Tensor, long Count)? FirstNonFinite(torch.nn.Module<torch.Tensor, torch.Tensor> module)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            var bad = tensor.isfinite().logical_not().sum().item<long>();
            if (bad > 0) return (name, bad);
        }
        return null;
    }
}
