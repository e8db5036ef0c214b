using Mnist.Torch;
using Mnist.Torch.Modules;
using static Mnist.Torch.torch;

namespace Mnist.Models;

/// <summary>
/// The network of seed 004 (shared/seeds/004): conv blocks of Conv → ReLU → BatchNorm → Dropout(0.1),
/// 1×1 transitions with max pooling, global average pooling and one fully connected layer, 18,934 parameters.
/// The seed does not say whether its convolutions have biases; like the notebooks it comes from, they have none.
/// Hand-written against Mnist.Torch; the DSL declaration replaces it once the generator exists.
/// </summary>
public sealed class Seed004Net : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public Seed004Net() : base(nameof(Seed004Net))
    {
        layers = nn.Sequential(
            // Input block: 28 → 26
            nn.Conv2d(1, 12, 3, bias: false), nn.ReLU(), nn.BatchNorm2d(12), nn.Dropout(0.1),
            // Convolution block 1: 26 → 24
            nn.Conv2d(12, 24, 3, bias: false), nn.ReLU(), nn.BatchNorm2d(24), nn.Dropout(0.1),
            // Transition block 1: 24 → 12
            nn.Conv2d(24, 12, 1, bias: false), nn.MaxPool2d(2),
            // Convolution block 2: 12 → 10 → 10
            nn.Conv2d(12, 20, 3, bias: false), nn.ReLU(), nn.BatchNorm2d(20, momentum: 0.2), nn.Dropout(0.1),
            nn.Conv2d(20, 32, 3, padding: 1, bias: false), nn.ReLU(), nn.BatchNorm2d(32, momentum: 0.2), nn.Dropout(0.1),
            // Transition block 2: 10 → 5
            nn.Conv2d(32, 16, 1, bias: false), nn.MaxPool2d(2),
            // Convolution block 3: 5 → 5 → 5
            nn.Conv2d(16, 16, 3, padding: 1, bias: false), nn.ReLU(), nn.BatchNorm2d(16, momentum: 0.2), nn.Dropout(0.1),
            nn.Conv2d(16, 32, 3, padding: 1, bias: false), nn.ReLU(), nn.BatchNorm2d(32, momentum: 0.2), nn.Dropout(0.1),
            // Global average pooling and the fully connected layer
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10), nn.LogSoftmax(1));
        register_module(nameof(layers), layers);
    }

    public override Tensor forward(Tensor input) => layers.forward(input);
}
