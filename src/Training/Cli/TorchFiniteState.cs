using TorchSharp;

namespace Mnist.Dsl.Training.Cli;

/// <summary>The torch path's end-of-epoch check of <see cref="TrainingDiverged"/>: every floating tensor of the state dict finite.</summary>
internal static class TorchFiniteState
{
    public static void ThrowIfNotFinite(torch.nn.Module<torch.Tensor, torch.Tensor> module, int epoch, long step, double learningRate)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            var bad = tensor.isfinite().logical_not().sum().item<long>();
            if (bad > 0) throw TrainingDiverged.InState(name, bad, epoch, step, learningRate);
        }
    }
}
