using static TorchSharp.torch;

namespace Mnist.Dsl.Torch;

/// <summary>
/// Puts a module's 4-dimensional parameters (convolution weights) in channels-last memory order, what PyTorch's
/// <c>model.to(memory_format=torch.channels_last)</c> does; TorchSharp 0.107 has no memory_format argument, so the
/// order comes from a permuted copy. libtorch's oneDNN convolutions then work on NHWC activations directly
/// (a convolution whose weight is channels-last makes its output channels-last, and the layers after it keep
/// that order) instead of converting every activation to oneDNN's blocked layout and back, as they do for NCHW.
/// Shapes, values and state-dict keys do not change, nor do saved weights (SaveWeights writes contiguous data).
/// <para>
/// Measured (bench/results/profile/2026-12-01.md, 1 thread, CPU time): a training step of the default network at
/// batch 128 from about 105 ms to 84 ms, seed 004's forward and backward from 112-126 ms to 93 ms, evaluation at
/// batch 1,000 from 214 ms to 137-155 ms; eval outputs move by rounding only (max |diff| 4.8e-7).
/// </para>
/// <para>
/// One visible difference: dropout draws its random numbers in memory order, so after <see cref="Apply"/> the
/// same seed gives other dropout masks than a contiguous model (PyTorch's included) does. A run that must match
/// a PyTorch run draw for draw should leave the layout alone or run PyTorch channels-last as well.
/// </para>
/// </summary>
public static class ChannelsLast
{
    /// <summary>Rewrites every 4-dimensional parameter of <paramref name="module"/> in channels-last order, in place.</summary>
    public static void Apply(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
        {
            if (parameter.Dimensions != 4) continue;
            using var scope = NewDisposeScope();
            // [O, I, kH, kW] with strides (kH·kW·I, 1, kW·I, I): the layout of an NHWC copy seen as NCHW.
            parameter.set_(parameter.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2));
        }
    }
}
